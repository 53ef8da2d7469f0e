"""Governance endpoints: each area's router, joined here."""

from .bodies import router as bodies_router
from .calendar import urlpatterns as calendar_urls
from .meetings import router as meetings_router

urlpatterns = [*calendar_urls, *bodies_router.urls, *meetings_router.urls]
