from django.urls import path
from rest_framework.routers import DefaultRouter

from . import jobs, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("status-reports", views.StatusReportViewSet, basename="status-report")
router.register("reports/portfolio-jobs", jobs.ReportJobViewSet, basename="report-job")

urlpatterns = [
    path(
        "reports/portfolio.xlsx", views.PortfolioWorkbookView.as_view(), name="portfolio-workbook"
    ),
    *router.urls,
]
