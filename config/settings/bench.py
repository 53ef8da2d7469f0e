"""Benchmarks: the local stack on its own SQLite file, so generated data never mixes with
the demo portfolio."""

from .local import *  # noqa: F403
from .local import VAR_DIR, database_config, env

DATABASES = {
    "default": database_config(
        env("BENCH_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'bench.sqlite3'}")
    )
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
