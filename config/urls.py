from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import errors as api_errors
from arguments.views import maps as map_views
from arguments.views import members as member_views
from arguments.views import sources as source_views

from . import csp, docs, status, views

urlpatterns = [
    path("", map_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", csp.csp_report, name="csp_report"),
    path("maps/", include("arguments.urls")),  # early: most requests are for maps (patterns are tried in order)
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    # Password reset by email and password change: Django's views with our templates (templates/registration/).
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("invite/<str:token>/", member_views.invitation, name="invitation"),
    path("sources/<slug:source_slug>/add-to-map/", source_views.add_to_map, name="add_source_to_map"),
    path("sources/", include("sources.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("status/", status.status, name="status"),
    path("docs/", docs.index, name="docs"),
    path("docs/<slug:name>/", docs.page, name="doc"),
]

# Error answers: JSON under /api/, the templates' pages elsewhere (api/errors.py).
handler400 = api_errors.bad_request
handler403 = api_errors.permission_denied
handler404 = api_errors.page_not_found
handler500 = api_errors.server_error
