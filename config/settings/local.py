"""One machine, nothing but Python: SQLite, eager Celery, local files, served by gunicorn."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env


def _persistent_secret_key() -> str:
    # Kept on disk so sessions and tokens survive a restart of `make run`.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or _persistent_secret_key()
DEBUG = env.bool("DEBUG", default=False)
# Shared by every gunicorn worker, so the token throttle counts across them.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}
