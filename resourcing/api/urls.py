from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("services", views.ServiceViewSet, basename="service")
router.register("specialists", views.SpecialistViewSet, basename="specialist")
router.register("intake-requests", views.IntakeRequestViewSet, basename="intake-request")
router.register("tasks", views.TaskViewSet, basename="task")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("capacity/", views.CapacityView.as_view(), name="capacity"),
    *router.urls,
]
