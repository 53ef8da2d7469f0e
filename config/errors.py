"""The domain's one error type. Services raise DomainError (a rule refused the change: the API
answers 409 {"code", "detail"}) or Django's ValidationError (bad input: 400 {field: [...]});
never an HTTP or DRF type. The API translates them in config.api.exceptions, the admin in
config.admin_errors."""


class DomainError(Exception):
    """A rule of the domain refused the change; nothing was written. `extra` carries
    machine-readable detail (e.g. the ids of the open tasks in the way)."""

    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra
