"""The Celery app. Queues: `default` (notifications, housekeeping) and `exports` (report jobs);
see CELERY_TASK_ROUTES. Periodic tasks are rows in the database (django-celery-beat)."""

import ctypes
import os
import signal
import sys

from celery import Celery
from celery.signals import beat_embedded_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("alliances")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

PR_SET_PDEATHSIG = 1


@beat_embedded_init.connect
def _die_with_the_worker(**kwargs):
    """`worker --beat` runs beat in a child process. If the worker is killed outright (SIGKILL,
    the OOM killer), that child would go on alone, scheduling with no worker to notice it, and
    keep `make run`'s output open so the crash went unseen: ask Linux to end it with its parent."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the worker died before we asked
        os.kill(os.getpid(), signal.SIGTERM)
