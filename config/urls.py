from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from arguments import member_views
from arguments import views as argument_views

from . import views

urlpatterns = [
    path("", argument_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("maps/", include("arguments.urls")),
    path("invite/<str:token>/", member_views.invitation, name="invitation"),
    path("sources/", include("sources.urls")),
    path("admin/", admin.site.urls),
]
