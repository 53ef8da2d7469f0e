import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_countries import countries

from config.api.filters import BooleanFilter, CodeFilter, DateFilter, IdFilter

from .choices import AllianceType, Direction, ManagementModel, PartnerKind, Stage, Status
from .models import Alliance, Partner, TherapeuticArea

# What `search` matches on the alliances list (and in the portfolio workbook).
ALLIANCE_SEARCH_FIELDS = ["code", "name", "partner__name"]


class AllianceFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    management_model = django_filters.MultipleChoiceFilter(choices=ManagementModel.choices)
    alliance_type = django_filters.MultipleChoiceFilter(choices=AllianceType.choices)
    direction = django_filters.MultipleChoiceFilter(choices=Direction.choices)
    therapeutic_area = CodeFilter(
        field_name="therapeutic_area__code",
        to_field_name="code",
        queryset=TherapeuticArea.objects.all(),
    )
    partner = IdFilter(field_name="partner_id")
    partner_kind = django_filters.MultipleChoiceFilter(
        field_name="partner__kind", choices=PartnerKind.choices
    )
    lead = IdFilter(field_name="lead_id")
    executive_sponsor = IdFilter(field_name="executive_sponsor_id")
    confidential = BooleanFilter()
    mine = BooleanFilter(
        method="filter_mine", label="Only alliances I lead, sponsor or am a member of"
    )
    start_date_after = DateFilter(field_name="start_date", lookup_expr="gte")
    start_date_before = DateFilter(field_name="start_date", lookup_expr="lte")
    end_date_after = DateFilter(field_name="end_date", lookup_expr="gte")
    end_date_before = DateFilter(field_name="end_date", lookup_expr="lte")

    class Meta:
        model = Alliance
        fields = []

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        involving = queryset.involving(self.request.user)
        return involving if value else queryset.exclude(pk__in=involving.values("pk"))


class PartnerFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=PartnerKind.choices)
    country = django_filters.ChoiceFilter(choices=list(countries))

    class Meta:
        model = Partner
        fields = []


class UserFilter(django_filters.FilterSet):
    group = CodeFilter(
        field_name="groups__name", to_field_name="name", queryset=Group.objects.all()
    )

    class Meta:
        model = get_user_model()
        fields = []
