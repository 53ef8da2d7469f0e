"""The requester's portal in the web screens: raise a request, follow your own requests and
answer the alliance group's questions. Anyone who signs in may use it; the writes are the
API's services (intake_submit, intake_answer), and a request that is not yours is a 404."""

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from unfold import widgets

from alliances.choices import AllianceType, Direction
from alliances.models import Partner, TherapeuticArea
from config import display
from config.admin_errors import REFUSALS, refusal_message

from . import access, services
from .choices import Complexity, IntakeStatus, MessageKind
from .models import INTAKE_REQUEST_INPUT, IntakeMessage, IntakeRequest, Service

STATUS_VARIANTS = {
    IntakeStatus.SUBMITTED: "info",
    IntakeStatus.TRIAGE: "primary",
    IntakeStatus.NEEDS_INFO: "warning",
    IntakeStatus.ACCEPTED: "success",
    IntakeStatus.DECLINED: "",
}

STATUS_MEANING = {
    IntakeStatus.SUBMITTED: "Waiting for the alliance group to look at it.",
    IntakeStatus.TRIAGE: "The alliance group is deciding how to resource it.",
    IntakeStatus.NEEDS_INFO: "The alliance group asked you a question: answer it below.",
    IntakeStatus.ACCEPTED: "Accepted: an alliance has been set up with a team.",
    IntakeStatus.DECLINED: "Declined: the reason is below.",
}


def status_badge(intake):
    return display.badge(intake.get_status_display(), STATUS_VARIANTS.get(intake.status, ""))


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=widgets.UnfoldAdminRadioSelectWidget(),
    )


class RaiseRequestForm(forms.ModelForm):
    """The API's intake fields and rules (IntakeRequestInputSerializer), explained in plain
    words; every error is shown beside the field it concerns."""

    differentiating = _yes_no(
        "Would it set us apart in the market?",
        "Answer yes if the partnership would give us something our competitors do not have: a "
        "product, a technology or a capability that makes us different. Answer no if it brings "
        "us level with others or supports what we already do.",
    )
    mission_critical = _yes_no(
        "Is it mission critical?",
        "Answer yes if the business would be seriously harmed should the partnership fail or "
        "stall (a key product, a launch, supply we depend on). Together with the question "
        "above, this decides how closely the alliance group will manage it.",
    )
    requested_services = forms.ModelMultipleChoiceField(
        label="What help do you need?",
        queryset=Service.objects.order_by("name"),
        widget=widgets.UnfoldAdminCheckboxSelectMultipleWidget(),
        help_text="Tick each kind of help you need from the alliance group's specialists; most "
        "new partnerships need at least the start-up. What each one covers:",
        error_messages={"required": "Tick at least one kind of help."},
    )

    class Meta:
        model = IntakeRequest
        fields = INTAKE_REQUEST_INPUT
        labels = {
            "title": "Name of the partnership",
            "partner": "Partner we already work with",
            "partner_name": "Or a new partner's name",
            "therapeutic_area": "Therapeutic area",
            "alliance_type": "Kind of deal",
            "direction": "Direction",
            "description": "What is it about?",
            "complexity": "How complex will it be to run?",
            "estimated_value": "Estimated value",
            "currency": "Currency of the value",
            "desired_start_date": "When should the work start?",
            "confidential": "Confidential",
        }
        help_texts = {
            "title": "A short name you would use in a meeting, for example \u201cLicensing the "
            "KX-17 antibody\u201d. Up to 200 characters.",
            "partner": "The other company, university or institute in the deal. Choose it here "
            "if it is in the list; otherwise leave this empty and type its name below.",
            "partner_name": "Only for a partner not in the list above (leave it empty if you "
            "chose one). Up to 200 characters.",
            "therapeutic_area": "The disease area the partnership serves.",
            "alliance_type": "What the deal does: we license a product, develop or sell it "
            "together, take an option, collaborate on trials or research, share a platform, "
            "promote it together or buy supply.",
            "direction": "In-licensed: we take in the partner's product or technology. "
            "Out-licensed: the partner takes ours. Mutual: both sides bring something.",
            "description": "What the partnership is, what it should achieve and anything the "
            "alliance group should know (deadlines, people already involved).",
            "complexity": "High if it involves many parties, countries or workstreams, or "
            "regulated work such as manufacturing or safety reporting; low for a simple, "
            "single-workstream deal.",
            "estimated_value": "Your best estimate of the deal's total value, numbers only (for "
            "example 2500000). Leave it empty if nobody knows yet.",
            "currency": "The three-letter code of the value's currency, for example USD, EUR or "
            "GBP. Needed only when you give a value.",
            "desired_start_date": "The day you would like the alliance work to begin.",
            "confidential": "Tick it if the deal is under strict secrecy: then only the head of "
            "alliance management (and you) can see the request, not the alliance leads.",
        }
        widgets = {
            "title": widgets.UnfoldAdminTextInputWidget(),
            "partner": widgets.UnfoldAdminSelectWidget(),
            "partner_name": widgets.UnfoldAdminTextInputWidget(),
            "therapeutic_area": widgets.UnfoldAdminSelectWidget(),
            "alliance_type": widgets.UnfoldAdminSelectWidget(),
            "direction": widgets.UnfoldAdminSelectWidget(),
            "description": widgets.UnfoldAdminTextareaWidget(attrs={"rows": 5}),
            "complexity": widgets.UnfoldAdminSelectWidget(),
            "estimated_value": widgets.UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
            "currency": widgets.UnfoldAdminTextInputWidget(attrs={"size": 3}),
            "desired_start_date": forms.DateInput(
                format="%Y-%m-%d",
                attrs={"type": "date", "class": " ".join(widgets.INPUT_CLASSES)},
            ),
            "confidential": widgets.UnfoldBooleanWidget(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A partner the requester may not see is, to them, a partner that does not exist.
        self.fields["partner"].queryset = Partner.objects.visible_to(user).order_by("name")
        self.fields["partner"].empty_label = "Not in the list"
        self.fields["therapeutic_area"].queryset = TherapeuticArea.objects.order_by("name")
        self.fields["alliance_type"].choices = [("", "Choose"), *AllianceType.choices]
        self.fields["direction"].choices = [("", "Choose"), *Direction.choices]
        self.fields["estimated_value"].localize = False
        self.fields["therapeutic_area"].empty_label = "Choose"
        self.fields["complexity"].choices = [("", "Choose"), *Complexity.choices]
        self.fields["requested_services"].help_text = format_html(
            "{}<ul>{}</ul>",
            self.fields["requested_services"].help_text,
            format_html_join(
                "",
                "<li><strong>{}</strong>: {}</li>",
                Service.objects.order_by("name").values_list("name", "description"),
            ),
        )

    SECTIONS = [
        (
            "The partnership",
            "",
            [
                "title",
                "partner",
                "partner_name",
                "therapeutic_area",
                "alliance_type",
                "direction",
                "description",
            ],
        ),
        (
            "Why it matters",
            "These questions decide how closely the alliance group manages the partnership: a "
            "dedicated alliance manager, support from specialists, or light-touch "
            "self-management.",
            ["differentiating", "mission_critical", "complexity", "estimated_value", "currency"],
        ),
        ("What you need", "", ["requested_services", "desired_start_date", "confidential"]),
    ]

    def sections(self):
        return [
            {"title": title, "intro": intro, "fields": [self[name] for name in names]}
            for title, intro, names in self.SECTIONS
        ]

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        data = super().clean()
        partner, name = data.get("partner"), (data.get("partner_name") or "").strip()
        data["partner_name"] = name
        if partner and name:
            self.add_error(
                "partner_name",
                "Give either a partner from the list or a new partner's name, not both.",
            )
        elif not partner and not name and "partner_name" not in self.errors:
            self.add_error("partner", "Choose the partner, or type a new partner's name below.")
        value_alone = data.get("estimated_value") is not None and not data.get("currency")
        if value_alone and "currency" not in self.errors:
            self.add_error("currency", "Give the currency of the estimated value.")
        return data

    def _post_clean(self):
        # The model's own checks (constraints included) run in the service, which reports
        # them by field; the form does not build an instance.
        pass

    def intake_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "requested_services"
        }

    def show_refusal(self, error) -> None:
        """A service's refusal beside the fields it names; the rest above the form."""
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        else:
            self.add_error(None, refusal_message(error))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        max_length=4000,
        widget=widgets.UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        help_text="Up to 4,000 characters. Sending it puts the request back with the alliance "
        "group, and the time they have to triage it starts again.",
        error_messages={"required": "Write your answer before sending it."},
    )


def _context(model_admin, request, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def raise_view(model_admin, request):
    form = RaiseRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.intake_submit(
                actor=request.user,
                data=form.intake_data(),
                services=list(form.cleaned_data["requested_services"]),
            )
        except REFUSALS as error:
            form.show_refusal(error)
        else:
            messages.success(
                request,
                f"Request raised: \u201c{intake.title}\u201d. The alliance group will look at "
                f"it by {display.day(intake.sla_due)}.",
            )
            return redirect("admin:portal_request", intake.pk)
    return render(
        request,
        "admin/resourcing/portal_raise.html",
        _context(
            model_admin,
            request,
            title="Raise a request",
            form=form,
            cancel_url=reverse("admin:portal_requests"),
        ),
    )


def my_requests(user):
    """The caller's own requests, newest first, each with its questions: three queries."""
    questions = IntakeMessage.objects.filter(kind=MessageKind.QUESTION).order_by("-created_at")
    return (
        IntakeRequest.objects.filter(requester=user)
        .select_related("partner", "therapeutic_area")
        .prefetch_related(Prefetch("messages", queryset=questions, to_attr="questions"))
        .order_by("-submitted_at", "-pk")
    )


def _waiting_question(intake) -> str:
    if intake.status != IntakeStatus.NEEDS_INFO or not intake.questions:
        return ""
    return intake.questions[0].text


def requests_view(model_admin, request):
    rows = []
    for intake in my_requests(request.user):
        link = reverse("admin:portal_request", args=[intake.pk])
        question = _waiting_question(intake)
        rows.append(
            {
                "intake": intake,
                "link": link,
                "partner": intake.partner.name if intake.partner else intake.partner_name,
                "status": status_badge(intake),
                "question": question,
            }
        )
    return render(
        request,
        "admin/resourcing/portal_requests.html",
        _context(
            model_admin,
            request,
            title="My requests",
            rows=rows,
            raise_url=reverse("admin:portal_raise"),
        ),
    )


def request_view(model_admin, request, pk):
    conversation = IntakeMessage.objects.select_related("author").order_by("created_at", "pk")
    queryset = (
        IntakeRequest.objects.filter(requester=request.user)
        .select_related("partner", "therapeutic_area", "alliance", "decided_by")
        .prefetch_related("requested_services", Prefetch("messages", queryset=conversation))
    )
    intake = get_object_or_404(queryset, pk=pk)
    answerable = intake.status == IntakeStatus.NEEDS_INFO and access.can_answer(
        request.user, intake
    )
    form = AnswerForm(request.POST or None) if answerable else None
    if request.method == "POST":
        if form is None:
            messages.error(request, "This request is not waiting for an answer.")
            return redirect("admin:portal_request", intake.pk)
        if form.is_valid():
            try:
                answered = services.intake_answer(
                    actor=request.user, intake=intake, answer=form.cleaned_data["answer"]
                )
            except REFUSALS as error:
                form.add_error("answer", refusal_message(error))
            else:
                messages.success(
                    request,
                    "Answer sent. The request is back with the alliance group, who will look "
                    f"at it by {display.day(answered.sla_due)}.",
                )
                return redirect("admin:portal_request", intake.pk)
    return render(
        request,
        "admin/resourcing/portal_request.html",
        _context(
            model_admin,
            request,
            title=intake.title,
            intake=intake,
            status=status_badge(intake),
            meaning=STATUS_MEANING.get(intake.status, ""),
            partner=intake.partner.name if intake.partner else intake.partner_name,
            services=", ".join(s.name for s in intake.requested_services.all()),
            form=form,
        ),
    )


def urls(model_admin) -> list:
    def view(function):
        def bound(request, *args, **kwargs):
            if not request.user.is_active:
                raise Http404
            return function(model_admin, request, *args, **kwargs)

        return model_admin.admin_site.admin_view(bound)

    return [
        path("raise/", view(raise_view), name="portal_raise"),
        path("mine/", view(requests_view), name="portal_requests"),
        path("mine/<int:pk>/", view(request_view), name="portal_request"),
    ]
