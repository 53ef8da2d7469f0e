"""An alliance's activity log in words, for its page: "Leo Adeyemi moved the stage from
Pre-PoC to Development". Every verb the services write reads as a sentence; an unknown one
still reads as one. Names (people, services) are looked up once per page of rows."""

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from config.display import day, moment

from .models import ActivityLog
from .querysets import ActivityLogQuerySet

User = get_user_model()

# Keys in `changes` that hold a person's id whatever the model calls its field.
PERSON_KEYS = {"member", "assignee", "owner", "user"}

# key -> (codes -> {code: label}): higher apps name their codes (resourcing: services).
_label_sources: dict[str, Callable[[set], dict]] = {}


def register_labels(key: str, source: Callable[[set], dict]) -> None:
    _label_sources[key] = source


# The moves of tasks and action items, by the action in their verb.
MOVES = {
    "start": "started",
    "wait_on_partner": "set waiting on the partner",
    "block": "blocked",
    "complete": "completed",
    "done": "marked as done",
    "cancel": "cancelled",
    "reopen": "reopened",
}


def person(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


class Names:
    """People and coded values named in a batch of log rows, read in one query each."""

    def __init__(self, entries):
        people, codes = set(), {key: set() for key in _label_sources}
        for entry in entries:
            model = entry.content_type.model_class()
            for key, pair in (entry.changes or {}).items():
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    continue
                values = {value for value in pair if isinstance(value, str | int) and value != ""}
                if key in codes:
                    codes[key] |= {str(value) for value in values}
                elif _is_person(model, key):
                    people |= {value for value in values if isinstance(value, int)}
        self.people = (
            {user.pk: user for user in User.objects.filter(pk__in=people)} if people else {}
        )
        self.labels = {
            key: (_label_sources[key](values) if values else {}) for key, values in codes.items()
        }

    def person(self, pk) -> str:
        if pk is None:
            return "nobody"
        user = self.people.get(pk)
        return person(user) if user else "a former user"

    def label(self, key: str, code) -> str:
        return self.labels.get(key, {}).get(str(code), str(code).replace("_", " "))


def _field(model, key):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _is_person(model, key: str) -> bool:
    if key in PERSON_KEYS:
        return True
    field = _field(model, key)
    return bool(field is not None and field.is_relation and field.related_model is User)


def _value(model, key: str, value, names: Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | dict):
        return _short(", ".join(map(str, value)) if isinstance(value, list) else str(value))
    if key in names.labels:
        return names.label(key, value)
    if _is_person(model, key):
        return names.person(value)
    field = _field(model, key)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return moment(datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return day(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    if field is not None and field.is_relation:
        return ""  # another record: named by the field alone
    return _short(str(value))


def _short(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:57]}…"


def _field_label(model, key: str) -> str:
    field = _field(model, key)
    name = getattr(field, "verbose_name", None) or key.replace("_", " ")
    return f"the {name}"


def changes_in_words(model, changes: dict, names: Names, limit: int = 4) -> str:
    parts = []
    for key, pair in (changes or {}).items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        before, after = (_value(model, key, value, names) for value in pair)
        label = _field_label(model, key)
        if isinstance(_field(model, key), models.TextField):
            parts.append(label)  # long text: named, not quoted
        elif not before and not after:
            parts.append(label)
        elif pair[0] in (None, ""):
            parts.append(f"{label} to {after}")
        else:
            parts.append(f"{label} from {before} to {after}")
    if not parts:
        return "details"
    if len(parts) > limit:
        parts = [*parts[:limit], f"{len(parts) - limit} more"]
    return "; ".join(parts)


def _thing(entry) -> str:
    model = entry.content_type.model_class()
    if (
        model is not None
        and model._meta.model_name == "alliance"
        and entry.object_id == entry.alliance_id
    ):
        return "the alliance"
    noun = model._meta.verbose_name if model is not None else "record"
    return f"{noun} “{entry.object_repr}”"


def _new(entry, key: str):
    pair = (entry.changes or {}).get(key)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def _old(entry, key: str):
    pair = (entry.changes or {}).get(key)
    return pair[0] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def what_happened(entry, names: Names) -> str:
    """What the actor did, after their name: "moved the stage from Pre-PoC to Development"."""
    verb, thing = entry.verb, _thing(entry)
    model = entry.content_type.model_class()
    model_name = model._meta.model_name if model is not None else ""

    def value(key, which=_new):
        return _value(model, key, which(entry, key), names)

    if verb == "created":
        return "registered the alliance" if thing == "the alliance" else f"added {thing}"
    if verb in ("updated", "status_report_updated"):
        words = changes_in_words(model, entry.changes, names)
        return f"changed {words}" if thing == "the alliance" else f"changed {thing}: {words}"
    if verb == "deleted":
        return f"deleted {thing}"
    if verb == "transitioned":
        key, pair = next(iter((entry.changes or {"": [None, None]}).items()))
        before, after = (_value(model, key, v, names) for v in pair)
        if thing == "the alliance":
            return f"moved {_field_label(model, key)} from {before} to {after}"
        return f"moved {thing} from {before} to {after}"
    if verb == "member_added" and model_name == "alliancemembership":
        return f"added {value('member')} to the team as {value('role')}"
    if verb == "member_removed" and model_name == "alliancemembership":
        return f"took {value('member', _old)} off the team"
    if verb == "confidentiality_changed":
        if _new(entry, "confidential"):
            return "marked the alliance confidential"
        return "marked the alliance as no longer confidential"
    if verb == "accepted":
        return f"accepted the alliance from intake request #{entry.object_id}"
    if verb == "assigned":
        return f"assigned {value('service')} to {value('assignee')}"
    if verb == "playbook_started":
        count = _new(entry, "tasks")
        tasks = f"{count} task{'s' if count != 1 else ''}" if count is not None else "its tasks"
        return (
            f"started the {value('service')} playbook: {tasks} for {value('assignee')}, "
            f"from {_date(entry)}"
        )
    if verb.startswith(("task_", "action_")):
        action = verb.split("_", 1)[1]
        if action in MOVES:
            return f"{MOVES[action]} {thing}"
        if action == "reassigned":
            return f"reassigned {thing} to {value('assignee')}"
        if action == "handed_over":
            return f"handed {thing} over to {value('assignee')}"
        if action == "rescheduled":
            return f"moved {thing} to {value('due_date')}"
        if action == "created":
            return f"added {thing}"
    if verb == "assignment_handed_over":
        return f"handed {thing} over to {value('assignee')}"
    if verb == "status_reported":
        month = _new(entry, "month")
        when = f" for {_month(month)}" if month else ""
        rag = value("rag")
        return f"filed the status report{when}" + (f" ({rag})" if rag != "—" else "")
    sentences = {
        "scheduled": "scheduled {}",
        "rescheduled": "rescheduled {}",
        "cancelled": "cancelled {}",
        "held": "recorded {} as held",
        "minutes_drafted": "drafted the minutes of {}",
        "minutes_redrafted": "redrafted the minutes of {}",
        "minutes_approved_internal": "approved the minutes of {} for our side",
        "minutes_approved_partner": "recorded the partner's approval of the minutes of {}",
        "minutes_approved": "completed the approval of the minutes of {}",
        "decision_recorded": "recorded {}",
        "obligation_created": "added {}",
        "obligation_met": "marked {} as met",
        "obligation_waived": "waived {}",
        "obligation_disputed": "disputed {}",
        "obligation_triggered": "recorded the trigger of {}",
        "obligation_recurred": "added the next {}",
        "member_added": "added a member to {}",
        "member_updated": "changed a member of {}",
        "member_removed": "removed a member from {}",
    }
    if verb in sentences:
        return sentences[verb].format(thing)
    return f"{verb.replace('_', ' ')}: {thing}"


def _date(entry) -> str:
    raw = _new(entry, "anchor_date")
    try:
        return day(datetime.date.fromisoformat(raw)) if raw else "—"
    except (TypeError, ValueError):
        return str(raw)


def _month(raw) -> str:
    try:
        return datetime.date.fromisoformat(str(raw)).strftime("%B %Y")
    except ValueError:
        return str(raw)


def sentence(entry, names: Names) -> str:
    try:
        what = what_happened(entry, names)
    except (TypeError, ValueError, AttributeError, StopIteration):
        # A payload in a shape this page does not know still reads as a sentence.
        what = f"{entry.verb.replace('_', ' ')}: {entry.object_repr}"
    text = f"{person(entry.actor)} {what}"
    note = (entry.note or "").strip()
    if note:
        text += f": “{note if len(note) <= 200 else note[:197] + '…'}”"
    return text


def in_words(entries) -> None:
    """Give each row its sentence (`entry.words`), naming everyone in one query."""
    names = Names(entries)
    for entry in entries:
        entry.words = sentence(entry, names)


class WordedLog(ActivityLogQuerySet):
    """Log rows that come with their sentences, however the page reads them."""

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._result_cache and isinstance(self._result_cache[0], ActivityLog):
            in_words(self._result_cache)


def worded(queryset):
    queryset = queryset.select_related("actor", "content_type")
    queryset.__class__ = WordedLog
    return queryset
