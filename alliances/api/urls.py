from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("therapeutic-areas", views.TherapeuticAreaViewSet, basename="therapeutic-area")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("alliances", views.AllianceViewSet, basename="alliance")
router.register("users", views.UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    *router.urls,
]
