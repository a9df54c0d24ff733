from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import account_settings, language_choose
from coresp import views

# The admin's login goes through allauth, so its rate limits apply there too. setattr: mypy does
# not allow assigning to a method.
setattr(admin.site, "login", secure_admin_login(admin.site.login))  # noqa: B010
admin.site.site_header = _("CO-RESP administration")
admin.site.site_title = _("CO-RESP admin")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("language/", language_choose, name="language_choose"),
    path("account/", account_settings, name="account_settings"),
    path("admin/", admin.site.urls),
    path("", include("projects.urls")),
    path("", include("events.urls")),
    path("", include("procurement.urls")),
    path("", include("impact.urls")),
    path("", include("reports.urls")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
