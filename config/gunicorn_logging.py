"""gunicorn's access log without secrets: a calendar address carries its secret in the path
(calendar clients cannot send a token), so the access log writes `/calendar/…ics` instead.
Used with `gunicorn --logger-class config.gunicorn_logging.RedactingLogger`."""

import re

from gunicorn.glogging import Logger

CALENDAR_SECRET = re.compile(r"(/calendar/)[^/\s?]+(\.ics)")


def redact(text: str) -> str:
    return CALENDAR_SECRET.sub(r"\1…\2", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        # Every text atom: the request line, path, referrer, and the environ's ({raw_uri}e...).
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and "/calendar/" in value:
                atoms[key] = redact(value)
        return atoms
