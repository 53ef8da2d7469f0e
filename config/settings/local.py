"""One machine, nothing but Python: SQLite, a Celery worker on a filesystem broker, local files,
served by gunicorn."""

import secrets
from pathlib import Path

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

# Celery for real, on a broker that needs no server: kombu's filesystem transport, messages as
# files in a folder beside the SQLite database (var/broker/ for `make run`; so another database,
# as in `make fuzz`, never shares its queue), made here by whichever process starts first.
# `make run` starts a worker with embedded beat beside gunicorn. CELERY_BROKER_URL replaces it.
_database = DATABASES["default"]  # noqa: F405
BROKER_DIR = (
    Path(_database["NAME"]).parent / "broker"
    if _database["ENGINE"].endswith("sqlite3") and _database["NAME"] != ":memory:"
    else VAR_DIR / "broker"
)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "filesystem://localhost//"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
    }
# Never eager here: what a user of `make run` sees is what production does.
CELERY_TASK_ALWAYS_EAGER = False
