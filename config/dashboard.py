"""The home page (the admin index): what needs the reader now, one section per role they
hold. django-unfold calls `dashboard_callback` (settings.UNFOLD["DASHBOARD_CALLBACK"]); every
figure comes from the apps' home selectors, over what the reader may see."""

import json

from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.text import Truncator

from alliances import access
from alliances.choices import Role
from alliances.home import watched_alliances
from config import display
from governance import home as governance_home
from reports import home as reports_home
from reports.access import can_download_portfolio
from resourcing import home as resourcing_home

RAG_COLOURS = {"red": "#dc2626", "amber": "#f59e0b", "green": "#16a34a"}
QUESTION_CHARS = 300
LINK = "font-medium text-primary-600 dark:text-primary-500"
STATE_VARIANTS = {
    "submitted": "info",
    "triage": "info",
    "needs_info": "warning",
    "accepted": "success",
    "declined": "danger",
}


def _url(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _trend_chart(trend: dict) -> str:
    """The RAG mix per month as unfold's bar chart data (Chart.js, served from unfold's own
    static files)."""
    return json.dumps(
        {
            "labels": trend["labels"],
            "datasets": [
                {
                    "label": rag.title(),
                    "data": trend["counts"][rag],
                    "backgroundColor": RAG_COLOURS[rag],
                    "stack": "rag",
                    "maxBarThickness": 28,
                    "displayYAxis": True,
                }
                for rag in ("green", "amber", "red")
            ],
        }
    )


TREND_OPTIONS = json.dumps(
    {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "plugins": {"legend": {"display": True, "position": "bottom"}},
        "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}},
    }
)


# Tables (unfold's table component: headers and rows of cells, each cell safe HTML) ------------


def _link(url: str | None, text) -> str:
    if not url:
        return conditional_escape(text)
    return format_html('<a class="{}" href="{}">{}</a>', LINK, url, text)


def _sub(main, detail) -> str:
    """A cell's main text with a smaller line under it."""
    if not detail:
        return format_html("{}", main)
    return format_html('{}<div class="text-xs text-font-subtle-light">{}</div>', main, detail)


def _alliance(pk, code, name) -> str:
    return _link(_url("admin:alliances_alliance_change", pk), f"{code} {name}")


def _sla_badge(request) -> str:
    if request.sla_state == "breached":
        return display.days_late(request.days_late, late="breached")
    if request.sla_state == "due_today":
        return display.badge("Due today", "warning")
    days = -request.days_late
    return display.badge(f"Due in {days} day{'s' if days != 1 else ''}", "info")


def intake_table(intake: dict) -> dict:
    return {
        "headers": ["Request", "Requester", "SLA due", "SLA"],
        "rows": [
            [
                _sub(
                    _link(_url("admin:resourcing_intakerequest_triage", r.pk), r.title),
                    r.therapeutic_area.name if r.therapeutic_area_id else "",
                ),
                conditional_escape(r.requester.get_full_name() or r.requester.get_username()),
                display.day(r.sla_due),
                _sla_badge(r),
            ]
            for r in intake["requests"]
        ],
    }


def attention_table(attention: dict) -> dict:
    month = f"{attention['missing_month']:%b %Y}"
    return {
        "headers": ["Alliance", "RAG", "Trend", f"Report for {month}"],
        "rows": [
            [
                _sub(_alliance(a["pk"], a["code"], a["name"]), a["headline"]),
                display.rag(a["rag"]) if a["rag"] else display.badge("No report"),
                display.badge(a["trend_label"], "danger")
                if a["trend"] == "declining"
                else conditional_escape(a["trend_label"] or display.EMPTY),
                display.warning(a["missing"], "Missing"),
            ]
            for a in attention["alliances"]
        ],
    }


def minutes_table(minutes: dict) -> dict:
    return {
        "headers": ["Meeting", "Alliance", "Held", "Minutes"],
        "rows": [
            [
                _link(_url("admin:governance_meeting_change", m.pk), m.title or m.body.name),
                _alliance(m.alliance_id, m.alliance.code, m.alliance.name),
                display.day(m.starts_at),
                display.badge("Approval overdue", "danger")
                if m.minutes_overdue
                else display.badge("Awaiting approval", "warning"),
            ]
            for m in minutes["meetings"]
        ],
    }


def obligations_table(obligations: dict) -> dict:
    return {
        "headers": ["Obligation", "Alliance", "Due", "Overdue"],
        "rows": [
            [
                _sub(
                    _link(_url("admin:governance_obligation_change", o.pk), o.title),
                    o.get_kind_display(),
                ),
                _alliance(o.alliance_id, o.alliance.code, o.alliance.name),
                display.day(o.due_date),
                display.days_late(o.days_late),
            ]
            for o in obligations["obligations"]
        ],
    }


def _task_state(task) -> str:
    label = task.get_status_display()
    if task.status == "blocked":
        return _sub(display.badge(label, "danger"), task.blocked_reason)
    if task.status == "waiting_on_partner":
        return display.badge(label, "warning")
    if task.status == "in_progress":
        return display.badge(label, "info")
    return display.badge(label)


def queue_table(work: dict) -> dict:
    return {
        "headers": ["Task", "Alliance", "Due", "Status"],
        "rows": [
            [
                _sub(
                    _link(_url("admin:resourcing_task_change", t.pk), t.title),
                    t.service.name,
                ),
                _alliance(t.alliance_id, t.alliance.code, t.alliance.name),
                _sub(display.day(t.due_date), display.days_late(t.days_late)),
                _task_state(t),
            ]
            for t in work["tasks"]
        ],
    }


def actions_table(actions: dict) -> dict:
    """An item with a task in the reader's queue links to the task; else to its meeting."""
    rows = []
    for i in actions["items"]:
        if i.task_id:
            url = _url("admin:resourcing_task_change", i.task_id)
        else:
            url = _url("admin:governance_meeting_change", i.meeting_id)
        rows.append(
            [
                _sub(_link(url, i.title), i.meeting.title),
                _alliance(i.alliance_id, i.alliance.code, i.alliance.name),
                display.day(i.due_date),
                display.days_late(i.days_late),
            ]
        )
    return {"headers": ["Action item", "Alliance", "Due", ""], "rows": rows}


def _grid_cell(cell: dict) -> str:
    if not cell["count"]:
        return display.EMPTY
    url = _url(
        "admin:alliances_alliance_changelist",
        query=f"stage__exact={cell['stage']}"
        + (f"&therapeutic_area__id__exact={cell['area']}" if cell["area"] else ""),
    )
    parts = [f"{cell[rag]} {rag}" for rag in ("red", "amber", "green") if cell[rag]]
    if cell["none"]:
        parts.append(f"{cell['none']} without a report")
    title = ", ".join(parts)
    variant = display.RAG_VARIANTS.get(cell["rag"], "")
    badge = display.badge(f"{cell['count']:,}", variant, title=title)
    return format_html('<a href="{}">{}</a>{}', url, badge, _detail(title))


def _detail(text: str) -> str:
    return format_html('<div class="text-xs text-font-subtle-light">{}</div>', text)


def grid_table(grid: dict) -> dict:
    return {
        "headers": ["Therapeutic area", *[stage.label for stage in grid["stages"]]],
        "rows": [
            [conditional_escape(row["area"]), *[_grid_cell(cell) for cell in row["cells"]]]
            for row in grid["rows"]
        ],
    }


def changes_table(changes: dict) -> dict:
    rows = []
    for c in changes["changes"]:
        if c["kind"] == "new":
            move = display.badge("New", "primary")
        elif c["kind"] == "rag":
            move = format_html(
                "{} → {}",
                display.rag(c["before"].lower() if c["before"] else None, c["before"]),
                display.rag(c["after_value"], c["after"]),
            )
        else:
            move = format_html("{} → {}", c["before"], c["after"])
        rows.append(
            [
                display.day(c["when"]),
                _alliance(c["alliance_id"], c["code"], c["name"]),
                _sub(c["what"], c["by"]),
                move,
            ]
        )
    return {"headers": ["When", "Alliance", "What", "Change"], "rows": rows}


def requests_table(mine: dict, list_url) -> dict:
    """Each request links to its portal page (where the question is answered), when the
    portal is installed."""
    rows = []
    for r in mine["requests"]:
        variant = STATE_VARIANTS.get(r.status, "")
        link = _url("admin:portal_request", r.pk) or list_url
        question = Truncator(r.question or "").chars(QUESTION_CHARS)
        rows.append(
            [
                _sub(_link(link, r.title), display.day(r.submitted_at)),
                display.badge(r.get_status_display(), variant),
                _sub(_link(link, display.badge("Answer the question", "warning")), question)
                if r.question
                else display.EMPTY,
            ]
        )
    return {"headers": ["Request", "State", "Question waiting for your answer"], "rows": rows}


def rag_tracker(grid: dict, cells: int = 50) -> list[dict]:
    """The RAG mix as unfold's tracker: `cells` blocks shared out by each RAG's share."""
    reported = sum(item["count"] for item in grid["mix"])
    if not reported:
        return []
    blocks = []
    colours = {"red": "bg-red-600", "amber": "bg-orange-500", "green": "bg-green-600"}
    left = cells
    for index, item in enumerate(grid["mix"]):
        share = round(cells * item["count"] / reported)
        if index == len(grid["mix"]) - 1:
            share = left
        share = max(0, min(share, left))
        left -= share
        tooltip = f"{item['label']}: {item['count']:,} ({round(100 * item['count'] / reported)}%)"
        blocks += [{"color": colours[item["rag"]], "tooltip": tooltip}] * share
    return blocks


def lead_home(user) -> dict:
    alliances = watched_alliances(user)
    intake = resourcing_home.intake_by_sla(user=user)
    attention = reports_home.needs_attention(alliances=alliances)
    minutes = governance_home.minutes_awaiting(alliances=alliances)
    obligations = governance_home.obligations_overdue(alliances=alliances)
    return {
        "everything": access.is_head(user),
        "intake": intake,
        "intake_table": intake_table(intake),
        "demand": [
            {
                **row,
                "description": f"{display.hours(row['demand_hours'])} + "
                f"{display.hours(row['pipeline_hours'])} pipeline of "
                f"{display.hours(row['capacity_hours'])}",
            }
            for row in resourcing_home.demand_by_service(user=user)
        ],
        "attention": attention,
        "attention_table": attention_table(attention),
        "minutes": minutes,
        "minutes_table": minutes_table(minutes),
        "obligations": obligations,
        "obligations_table": obligations_table(obligations),
        "intake_url": _url("admin:resourcing_intakerequest_changelist", query="sla=overdue"),
        "capacity_url": _url("admin:capacity"),
        "alliances_url": _url("admin:alliances_alliance_changelist"),
        "meetings_url": _url("admin:governance_meeting_changelist", query="status__exact=held"),
        "obligations_url": _url("admin:governance_obligation_changelist", query="when=overdue"),
    }


def specialist_home(user) -> dict:
    work = resourcing_home.my_work(user=user)
    actions = governance_home.my_action_items(user=user)
    queue = "admin:resourcing_task_changelist"
    return {
        "work": work,
        "queue_table": queue_table(work),
        "actions": actions,
        "actions_table": actions_table(actions),
        "queue_url": _url(queue, query="whose=mine&open=yes"),
        "overdue_url": _url(queue, query="whose=mine&open=overdue"),
        "blocked_url": _url(queue, query="whose=mine&open=yes&status__exact=blocked"),
        "waiting_url": _url(queue, query="whose=mine&open=yes&status__exact=waiting_on_partner"),
    }


def executive_home(user) -> dict:
    grid = reports_home.portfolio_grid(user=user)
    trend = reports_home.rag_trend(user=user)
    changes = reports_home.recent_changes(user=user)
    mix = [
        display.badge(
            f"{item['label']} {item['percent']}% ({item['count']:,})",
            display.RAG_VARIANTS[item["rag"]],
        )
        for item in grid["mix"]
    ]
    if grid["unreported"]:
        mix.append(display.badge(f"{grid['unreported']:,} without a report"))
    return {
        "grid": grid,
        "mix_badges": mix,
        "grid_table": grid_table(grid),
        "rag_tracker": rag_tracker(grid),
        "trend": trend,
        "trend_chart": _trend_chart(trend),
        "trend_options": TREND_OPTIONS,
        "changes": changes,
        "changes_table": changes_table(changes),
        "download_url": _url("admin:download_portfolio") if can_download_portfolio(user) else None,
        "alliances_url": _url("admin:alliances_alliance_changelist"),
    }


def requester_home(user) -> dict:
    mine = resourcing_home.my_requests(user=user)
    requests_url = _url("admin:portal_requests")
    return {
        "mine": mine,
        "requests_table": requests_table(mine, requests_url),
        "raise_url": _url("admin:portal_raise"),
        "requests_url": requests_url,
    }


def dashboard_callback(request, context: dict) -> dict:
    user = request.user
    roles = access.roles_of(user)
    context["home"] = {
        "lead": lead_home(user) if access.manages_alliances(user) else None,
        "specialist": specialist_home(user) if Role.SPECIALIST in roles else None,
        "executive": executive_home(user) if access.is_executive(user) else None,
        "requester": requester_home(user) if not user.is_staff else None,
    }
    return context
