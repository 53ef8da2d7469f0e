from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("services", views.ServiceViewSet, basename="service")
router.register("specialists", views.SpecialistViewSet, basename="specialist")
router.register("intake-requests", views.IntakeRequestViewSet, basename="intake-request")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
