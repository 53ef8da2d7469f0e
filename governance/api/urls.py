"""Governance endpoints: each area's router, joined here."""

urlpatterns = []
