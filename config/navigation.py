"""The sidebar, per role: each user starts from the pages their work needs.

django-unfold calls `sidebar(request)` (settings.UNFOLD["SIDEBAR"]["navigation"]) on every
page. A link whose page is not installed is left out rather than broken."""

from django.urls import NoReverseMatch, reverse

from alliances import access
from alliances.choices import Role


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _item(title: str, icon: str, name: str, query: str = "") -> dict | None:
    link = _url(name, query)
    if link is None:
        return None
    return {"title": title, "icon": icon, "link": link}


INBOX = "admin:notifications_notification_changelist"


def _group(title: str, *items) -> dict | None:
    items = [item for item in items if item is not None]
    if not items:
        return None
    return {"title": title, "separator": True, "collapsible": False, "items": items}


def _is_specialist(user) -> bool:
    return Role.SPECIALIST in access.roles_of(user)


def sidebar(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    home = _item("Home", "home", "admin:index")
    groups = []
    if not user.is_staff:
        groups.append(
            _group(
                "Requests",
                home,
                _item("Raise a request", "add_circle", "admin:portal_raise"),
                _item("My requests", "inbox", "admin:portal_requests"),
                _item("Notifications", "notifications", INBOX),
            )
        )
        return [group for group in groups if group]

    groups.append(_group("Start", home))
    if access.manages_alliances(user):
        groups.append(
            _group(
                "Alliance management",
                _item("Front door", "door_front", "admin:resourcing_intakerequest_changelist"),
                _item("Alliances", "handshake", "admin:alliances_alliance_changelist"),
                _item("Capacity", "groups", "admin:capacity"),
                _item("Governance", "gavel", "admin:governance_meeting_changelist"),
                _item("Obligations", "assignment_late", "admin:governance_obligation_changelist"),
                _item("Agreements", "contract", "admin:governance_agreement_changelist"),
                _item("Status reports", "monitoring", "admin:reports_statusreport_changelist"),
            )
        )
    if _is_specialist(user):
        groups.append(
            _group(
                "My work",
                _item("My work", "task_alt", "admin:resourcing_task_changelist"),
                _item("My alliances", "handshake", "admin:alliances_alliance_changelist"),
                _item("Calendar", "calendar_month", "admin:calendar"),
            )
        )
    if access.is_executive(user):
        groups.append(
            _group(
                "Portfolio",
                _item("Portfolio", "dashboard", "admin:alliances_alliance_changelist"),
                _item("Download", "download", "admin:download_portfolio"),
            )
        )
    if access.manages_alliances(user):
        groups.append(
            _group(
                "Reference",
                _item("Specialists", "badge", "admin:resourcing_specialist_changelist"),
                _item("Services and playbooks", "list_alt", "admin:resourcing_service_changelist"),
                _item("Partners", "apartment", "admin:alliances_partner_changelist"),
                _item("Contacts", "contacts", "admin:governance_partnercontact_changelist"),
                _item("Bodies", "account_tree", "admin:governance_governancebody_changelist"),
                _item("Training", "school", "admin:governance_trainingcourse_changelist"),
            )
        )
    if access.is_head(user):
        groups.append(
            _group(
                "Administration",
                _item("Users", "person", "admin:auth_user_changelist"),
                _item("Therapeutic areas", "biotech", "admin:alliances_therapeuticarea_changelist"),
                _item("Activity log", "history", "admin:alliances_activitylog_changelist"),
                _item("Schedules", "schedule", "admin:django_celery_beat_periodictask_changelist"),
            )
        )
    groups.append(
        _group(
            "Me",
            _item("Notifications", "notifications", INBOX),
            _item("Raise a request", "add_circle", "admin:portal_raise"),
            _item("My requests", "inbox", "admin:portal_requests"),
        )
    )
    return [group for group in groups if group]
