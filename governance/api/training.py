"""`training-courses/` (the head's reference data; everyone reads) and `training-completions/`
(leads and the head record anyone's and read all; everyone reads their own). A completion's
`expires_on` follows its course's validity; `valid` is worked out when read."""

import django_filters
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.access import can_change_reference_data, manages_alliances
from alliances.api.serializers import UserBriefField
from alliances.api.views import require
from alliances.calendar import today
from config.api.filters import BooleanFilter, DateFilter, IdFilter, UserIdFilter
from config.api.serializers import (
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
)
from config.api.viewsets import ReadViewSet

from ..choices import CourseKind
from ..compliance import completion_valid_q
from ..models import TrainingCompletion, TrainingCourse
from ..services import training as services

User = get_user_model()


# Courses -------------------------------------------------------------------------------------


class TrainingCourseSerializer(StrictModelSerializer):
    class Meta:
        model = TrainingCourse
        fields = ["id", "name", "kind", "description", "validity_months"]
        read_only_fields = ["id"]
        extra_kwargs = {"description": {"max_length": 20_000}}


class TrainingCourseFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=CourseKind.choices)

    class Meta:
        model = TrainingCourse
        fields = []


class TrainingCourseViewSet(mixins.DestroyModelMixin, ReadViewSet):
    """Courses for governance roles and for partnering; `validity_months` empty: a completion
    never expires. The head writes; changing the validity moves every completion's expiry;
    a course someone completed cannot be deleted (409 in_use)."""

    serializer_class = TrainingCourseSerializer
    filterset_class = TrainingCourseFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "kind", "validity_months"]
    ordering = ["kind", "name", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = TrainingCourse.objects.all()

    def _check(self):
        require(can_change_reference_data(self.request.user), "Only the head changes courses.")

    @extend_schema(request=TrainingCourseSerializer, responses={201: TrainingCourseSerializer})
    def create(self, request):
        self._check()
        data = TrainingCourseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_create(actor=request.user, data=data.validated_data)
        return Response(TrainingCourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrainingCourseSerializer, responses=TrainingCourseSerializer)
    def partial_update(self, request, pk=None):
        course = self.get_object()
        self._check()
        data = TrainingCourseSerializer(instance=course, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        course = services.course_update(actor=request.user, course=course, data=data.validated_data)
        return Response(TrainingCourseSerializer(course).data)

    def destroy(self, request, pk=None):
        course = self.get_object()
        self._check()
        services.course_delete(actor=request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Completions ---------------------------------------------------------------------------------


class TrainingCompletionSerializer(ReadModelSerializer):
    course = serializers.SerializerMethodField()
    user = UserBriefField()
    recorded_by = UserBriefField()
    valid = serializers.SerializerMethodField()

    class Meta:
        model = TrainingCompletion
        fields = [
            "id",
            "course",
            "user",
            "completed_on",
            "expires_on",
            "valid",
            "recorded_by",
            "created_at",
        ]

    def get_course(self, completion) -> dict:
        course = completion.course
        return {"id": course.pk, "name": course.name, "kind": course.kind}

    def get_valid(self, completion) -> bool:
        """compliance.completion_valid_q, for one completion in memory."""
        day = self.context.get("today") or today()
        expires = completion.expires_on
        return completion.completed_on <= day and (expires is None or expires > day)


class TrainingCompletionInputSerializer(StrictModelSerializer):
    course = StrictPrimaryKeyRelatedField(queryset=TrainingCourse.objects.all())
    user = StrictPrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    field_hints = {
        "expires_on": "It follows the course's validity_months.",
        "valid": "It is worked out from expires_on and today.",
        "recorded_by": "It is whoever records the completion.",
    }

    class Meta:
        model = TrainingCompletion
        fields = ["course", "user", "completed_on"]
        validators = []  # the service names the field and the person (completion_record)


class TrainingCompletionFilter(django_filters.FilterSet):
    user = UserIdFilter(field_name="user_id")
    course = IdFilter(field_name="course_id")
    kind = django_filters.MultipleChoiceFilter(
        field_name="course__kind", choices=CourseKind.choices
    )
    valid = BooleanFilter(method="filter_valid", label="Counts today (completed, not expired)")
    completed_on_after = DateFilter(field_name="completed_on", lookup_expr="gte")
    completed_on_before = DateFilter(field_name="completed_on", lookup_expr="lte")
    expires_on_after = DateFilter(field_name="expires_on", lookup_expr="gte")
    expires_on_before = DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = TrainingCompletion
        fields = []

    def filter_valid(self, queryset, name, value):
        if value is None:
            return queryset
        rule = completion_valid_q()
        return queryset.filter(rule) if value else queryset.exclude(rule)


def sees_all_training(user) -> bool:
    return manages_alliances(user)


class TrainingCompletionViewSet(mixins.DestroyModelMixin, ReadViewSet):
    """Who completed which course when, and until when it counts. Leads and the head record
    and delete (a completion recorded in error) anyone's and read all; everyone else reads
    their own (`?user=me`)."""

    serializer_class = TrainingCompletionSerializer
    filterset_class = TrainingCompletionFilter
    search_fields = ["course__name", "user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["completed_on", "expires_on", "created_at"]
    ordering = ["-completed_on", "-pk"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        completions = TrainingCompletion.objects.select_related("course", "user", "recorded_by")
        if getattr(self, "swagger_fake_view", False):  # the schema, with no one signed in
            return completions.none()
        return completions if sees_all_training(user) else completions.filter(user=user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}

    def _require_recorder(self):
        require(
            sees_all_training(self.request.user),
            "Only alliance leads and the head record training.",
        )

    @extend_schema(
        request=TrainingCompletionInputSerializer, responses={201: TrainingCompletionSerializer}
    )
    def create(self, request):
        self._require_recorder()
        data = TrainingCompletionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        completion = services.completion_record(actor=request.user, data=data.validated_data)
        fresh = self.get_queryset().get(pk=completion.pk)
        return Response(
            TrainingCompletionSerializer(fresh, context={"today": today()}).data,
            status=status.HTTP_201_CREATED,
        )

    def destroy(self, request, pk=None):
        completion = self.get_object()
        self._require_recorder()
        services.completion_delete(actor=request.user, completion=completion)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("training-courses", TrainingCourseViewSet, basename="training-course")
router.register("training-completions", TrainingCompletionViewSet, basename="training-completion")
