"""Governance endpoints: each area's router, joined here."""

from .agreements import router as agreements_router
from .bodies import router as bodies_router
from .calendar import urlpatterns as calendar_urls
from .compliance import router as compliance_router
from .meetings import router as meetings_router
from .obligations import router as obligations_router
from .records import router as records_router
from .training import router as training_router

urlpatterns = [*calendar_urls, *bodies_router.urls, *meetings_router.urls]
urlpatterns += [*records_router.urls, *training_router.urls, *compliance_router.urls]
urlpatterns += agreements_router.urls
urlpatterns += obligations_router.urls
