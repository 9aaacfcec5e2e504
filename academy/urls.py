from django.urls import include, path

import incidents.views
from academics import portal_urls as academics_portal
from academics.students import views as student_views
from academy import health, metrics
from accounts import urls as accounts_urls
from homework import urls as homework_portal

handler400 = "academy.errors.bad_request"
handler403 = "academy.errors.permission_denied"
handler404 = "academy.errors.page_not_found"
handler500 = "academy.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # Browsers ask for /favicon.ico whatever the page says: answer with the app's icon, not a 404.
    path("favicon.ico", health.favicon, name="favicon"),
    path("api/incidents", incidents.views.ingest, name="incident_ingest"),
    # Inviting a customer offers their students, which accounts does not know: academics serves
    # that page under accounts' name, so accounts never imports academics.
    path(
        "",
        include(
            (
                [
                    *accounts_urls.urlpatterns,
                    path("admin/customers/new/", student_views.customer_create, name="customer_create"),
                ],
                "accounts",
            )
        ),
    ),
    path("admin/", include("ui.urls")),
    path("admin/audit/", include("audit.urls")),
    path("admin/academic/homework/", include("homework.admin_urls")),
    path("admin/academic/", include("academics.urls")),
    path("admin/insights/jobs/", include("jobs.urls")),
    path("admin/insights/media/", include("media.urls")),
    path("admin/insights/incidents/", include("incidents.urls")),
    # The parent's portal is one namespace, `portal:`, whichever app serves a page of it.
    path("portal/", include(([*homework_portal.urlpatterns, *academics_portal.urlpatterns], "portal"))),
]
