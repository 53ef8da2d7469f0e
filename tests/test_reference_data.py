"""Reference data loads idempotently; the demo loader refuses production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from resourcing.models import TaskTemplate

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOKS = str(ROOT / "fixtures" / "playbooks.json")


@pytest.mark.django_db
def test_loading_the_playbooks_twice_keeps_one_of_each_step():
    call_command("loaddata", PLAYBOOKS, verbosity=0)
    first = set(TaskTemplate.objects.values_list("pk", "service__code", "anchor", "title"))
    assert len(first) == 57
    step = TaskTemplate.objects.get(title="Draft the alliance charter")
    step.effort_hours = 99
    step.save()
    call_command("loaddata", PLAYBOOKS, verbosity=0)
    assert set(TaskTemplate.objects.values_list("pk", "service__code", "anchor", "title")) == first
    step.refresh_from_db()
    assert step.effort_hours != 99  # the fixture's value again


@pytest.mark.django_db
def test_load_demo_refuses_when_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused"):
        call_command("load_demo")
    assert not get_user_model().objects.exists()


def test_production_settings_refuse_load_demo(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "alliances.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://alliances.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}",
        "REDIS_CACHE_URL": "redis://127.0.0.1:1/1",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/2",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CommandError: load_demo creates demo users" in result.stderr
    assert not (tmp_path / "untouched.sqlite3").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_merges_duplicate_steps_and_keeps_their_tasks():
    before = [("resourcing", "0004_dates_in_range")]
    after = [("resourcing", "0005_template_natural_key")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Service = old.get_model("resourcing", "Service")
    Template = old.get_model("resourcing", "TaskTemplate")
    startup, _ = Service.objects.get_or_create(code="startup", defaults={"name": "Start-up"})
    fields = {"service": startup, "anchor": "start", "title": "Kick-off", "offset_days": 5}
    kept = Template.objects.create(**fields, effort_hours=1)
    duplicate = Template.objects.create(**fields, effort_hours=1)
    other = Template.objects.create(**{**fields, "title": "Charter"}, effort_hours=1)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert set(TaskTemplate.objects.values_list("pk", flat=True)) == {kept.pk, other.pk}
    assert duplicate.pk not in set(TaskTemplate.objects.values_list("pk", flat=True))
