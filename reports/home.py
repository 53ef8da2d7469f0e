"""The home page's portfolio reads: the grid of stage by therapeutic area with its RAG, the RAG
mix over six months, what changed in the last 30 days and the alliances needing attention.
Every read is of alliances the reader sees (`Alliance.objects.visible_to`), in a fixed number
of grouped queries whatever the size of the portfolio; lists are cut to their first rows."""

import datetime
from collections import Counter, defaultdict

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from alliances.calendar import today
from alliances.choices import Stage, TransitionField
from alliances.models import Alliance, StageTransition

from .choices import Rag, Trend
from .latest import annotations, due_month, missing_q, next_month, previous_month, with_latest
from .models import StatusReport
from .portfolio.columns import label, person
from .portfolio.read import Change, therapeutic_areas
from .portfolio.render import _change_title

ROWS = 10
CHANGE_DAYS = 30
TREND_MONTHS = 6
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN)  # worst first: ties go to the worse
RAG_RANK = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def needs_attention(*, alliances, rows: int = ROWS) -> dict:
    """Of `alliances` (already limited to what the reader sees), those red, declining or
    missing the status report due today (reports.latest.missing_q), as the workbook's "Needs
    attention": how many, and the first `rows`, red first. Two queries."""
    missing = missing_q(today())
    trouble = (
        with_latest(alliances)
        .annotate(missing=ExpressionWrapper(missing, output_field=BooleanField()))
        .filter(Q(latest__rag=Rag.RED) | Q(latest__trend=Trend.DECLINING) | missing)
    )
    count = trouble.count()
    rank = Case(
        When(latest__rag=Rag.RED, then=Value(0)),
        When(latest__trend=Trend.DECLINING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    listed = (
        trouble.annotate(rank=rank)
        .order_by("rank", "code")
        .values(
            "pk", "code", "name", "latest__rag", "latest__trend", "latest__headline", "missing"
        )[:rows]
    )
    return {
        "count": count,
        "alliances": [
            {
                "pk": row["pk"],
                "code": row["code"],
                "name": row["name"],
                "rag": row["latest__rag"],
                "trend": row["latest__trend"],
                "trend_label": label(Trend, row["latest__trend"]) if row["latest__trend"] else "",
                "headline": row["latest__headline"] or "",
                "missing": row["missing"],
            }
            for row in listed
        ],
        "missing_month": due_month(today()),
    }


def _worst_majority(rags: Counter) -> str | None:
    """The RAG most alliances in a cell last reported; a tie goes to the worse one."""
    reported = [(n, -RAG_RANK[rag], rag) for rag, n in rags.items() if rag in RAG_RANK and n]
    return max(reported)[2] if reported else None


def portfolio_grid(*, user) -> dict:
    """Alliances the reader sees by therapeutic area (rows) and stage (columns), each cell with
    its count, its RAG mix and its colour (the RAG most of its alliances last reported; a tie
    goes to the worse); and the whole portfolio's RAG mix. Two queries."""
    cells: dict = defaultdict(Counter)
    mix: Counter = Counter()
    latest_rag = annotations()["latest_rag"][0]  # one indexed lookup per alliance
    for stage, area, rag, n in (
        Alliance.objects.visible_to(user)
        .annotate(latest_rag=latest_rag)
        .order_by()
        .values("stage", "therapeutic_area", "latest_rag")
        .annotate(n=Count("pk"))
        .values_list("stage", "therapeutic_area", "latest_rag", "n")
    ):
        cells[stage, area][rag] += n
        mix[rag] += n
    stages = list(Stage)
    rows = []
    for area_id, area_name in [*therapeutic_areas(), (None, "No therapeutic area")]:
        row = []
        for stage in stages:
            rags = cells.get((stage.value, area_id), Counter())
            row.append(
                {
                    "count": sum(rags.values()),
                    "rag": _worst_majority(rags),
                    "red": rags.get(Rag.RED, 0),
                    "amber": rags.get(Rag.AMBER, 0),
                    "green": rags.get(Rag.GREEN, 0),
                    "none": rags.get(None, 0),
                    "area": area_id,
                    "stage": stage.value,
                }
            )
        if area_id is not None or any(cell["count"] for cell in row):
            rows.append({"area": area_name, "area_id": area_id, "cells": row})
    total = sum(mix.values())
    return {
        "stages": stages,
        "rows": rows,
        "total": total,
        "mix": [
            {
                "rag": rag,
                "label": label(Rag, rag),
                "count": mix.get(rag, 0),
                "percent": round(100 * mix.get(rag, 0) / total) if total else 0,
            }
            for rag in RAG_ORDER
        ],
        "unreported": mix.get(None, 0),
    }


def rag_trend(*, user, months: int = TREND_MONTHS) -> dict:
    """The RAG of the status reports on alliances the reader sees, for each of the last
    `months` reporting months (the last is the month whose report is due today): one grouped
    query."""
    last = due_month(today())
    first = last
    for _ in range(months - 1):
        first = previous_month(first)
    counts: dict = defaultdict(Counter)
    for month, rag, n in (
        StatusReport.objects.visible_to(user)
        .filter(month__gte=first, month__lte=last)
        .order_by()
        .values("month", "rag")
        .annotate(n=Count("pk"))
        .values_list("month", "rag", "n")
    ):
        counts[month][rag] += n
    series = []
    month = first
    while month <= last:
        series.append((month, counts.get(month, Counter())))
        month = next_month(month)
    return {
        "months": [month for month, _ in series],
        "labels": [f"{month:%b %Y}" for month, _ in series],
        "counts": {rag: [c.get(rag, 0) for _, c in series] for rag in RAG_ORDER},
    }


def _change(when, pk, code, name, kind, month, before, after, first, last, username) -> dict:
    change = Change(when, code, name, kind, month, before, after, first, last, username, "")
    title, choices = _change_title(change)
    return {
        "when": when,
        "alliance_id": pk,
        "code": code,
        "name": name,
        "kind": kind,
        "what": title,
        "before": label(choices, before) if choices else before,
        "after": label(choices, after) if choices else after,
        "after_value": after,
        "by": person(first, last, username),
    }


def recent_changes(*, user, days: int = CHANGE_DAYS, rows: int = ROWS) -> dict:
    """What changed on the alliances the reader sees in the last `days` days (the workbook's
    "Changes since"): new alliances, stage and status moves and RAG changes (a month's report
    against the one before): how many of each, and the newest `rows`. Four queries."""
    since = today() - datetime.timedelta(days=days)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time()))
    visible = Alliance.objects.visible_to(user)
    visible_ids = visible.values("pk")
    new = visible.filter(created_at__gte=start)
    moves = StageTransition.objects.filter(
        alliance__in=visible_ids,
        created_at__gte=start,
        field__in=[TransitionField.STAGE, TransitionField.STATUS],
    )
    previous_rag = (
        StatusReport.objects.filter(alliance=OuterRef("alliance"), month__lt=OuterRef("month"))
        .order_by("-month")
        .values("rag")[:1]
    )
    rag_changes = (
        StatusReport.objects.filter(alliance__in=visible_ids, created_at__gte=start)
        .annotate(before=Subquery(previous_rag))
        .filter(~Q(before=F("rag")), before__isnull=False)
    )
    counts = {
        "new": new.count(),
        "stage": moves.filter(field=TransitionField.STAGE).count(),
        "status": moves.filter(field=TransitionField.STATUS).count(),
        "rag": rag_changes.count(),
    }
    changes = [
        _change(when, pk, code, name, "new", None, "", "", first, last, username)
        for when, pk, code, name, first, last, username in new.order_by("-created_at", "-pk")
        .values_list(
            "created_at", "pk", "code", "name", "lead__first_name", "lead__last_name",
            "lead__username",
        )[:rows]
    ]  # fmt: skip
    changes += [
        _change(when, pk, code, name, kind, None, before, after, first, last, username)
        for when, pk, code, name, kind, before, after, first, last, username in moves.order_by(
            "-created_at", "-pk"
        ).values_list(
            "created_at", "alliance_id", "alliance__code", "alliance__name", "field",
            "from_value", "to_value", "actor__first_name", "actor__last_name",
            "actor__username",
        )[:rows]
    ]  # fmt: skip
    changes += [
        _change(when, pk, code, name, "rag", month, before, rag, first, last, username)
        for when, month, before, rag, pk, code, name, first, last, username in rag_changes.order_by(
            "-created_at", "-pk"
        ).values_list(
            "created_at", "month", "before", "rag", "alliance_id", "alliance__code",
            "alliance__name", "author__first_name", "author__last_name", "author__username",
        )[:rows]
    ]  # fmt: skip
    changes.sort(key=lambda change: change["when"], reverse=True)
    return {"since": since, "counts": counts, "changes": changes[:rows]}
