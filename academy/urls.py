from django.urls import include, path

import incidents.views
from academy import health, metrics

handler400 = "academy.errors.bad_request"
handler403 = "academy.errors.permission_denied"
handler404 = "academy.errors.page_not_found"
handler500 = "academy.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/incidents", incidents.views.ingest, name="incident_ingest"),
    path("", include("accounts.urls")),
    path("admin/", include("ui.urls")),
    path("admin/audit/", include("audit.urls")),
    path("admin/academic/homework/", include("homework.admin_urls")),
    path("admin/academic/", include("academics.urls")),
    path("admin/insights/jobs/", include("jobs.urls")),
    path("admin/insights/media/", include("media.urls")),
    path("admin/insights/incidents/", include("incidents.urls")),
    path("portal/", include("homework.urls")),
    path("portal/", include("academics.portal_urls")),
]
