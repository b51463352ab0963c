"""Site-wide views: health check, sign-up, and sign-in and password reset guarded by rate limits."""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import ratelimit


@never_cache
@require_GET
def healthz(request):
    """Liveness plus a round trip to the database; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": "unavailable", "detail": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        # Every attempt counts, successful or not: this bounds accounts created per address.
        verdict = ratelimit.hit("signup", ratelimit.client_address(request))
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, "signup", verdict)
    form = SignupForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing further attempts once too many have failed.

    Failures are counted per address and username (guessing one account's password) and per
    address alone (trying many accounts). Only failures count, so a shared office address whose
    people type their passwords right is never locked out.
    """

    redirect_authenticated_user = True

    def _scopes(self) -> list[tuple[str, str]]:
        address = ratelimit.client_address(self.request)
        username = self.request.POST.get("username", "").strip().lower()[:150]
        return [("login_ip", address), ("login", f"{address}|{username}")]

    def post(self, request, *args, **kwargs):
        for scope, who in self._scopes():
            verdict = ratelimit.peek(scope, who)
            if not verdict.allowed:
                return ratelimit.too_many_requests(request, scope, verdict)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for scope, who in self._scopes():
            ratelimit.hit(scope, who)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset-by-email, limited per address so nobody can flood an inbox through us."""

    def post(self, request, *args, **kwargs):
        verdict = ratelimit.hit("password_reset", ratelimit.client_address(request))
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, "password_reset", verdict)
        return super().post(request, *args, **kwargs)
