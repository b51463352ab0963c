"""Site-wide views: health check, sign-up, sign-in and password reset guarded by rate limits, and
signing out everywhere."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from accounts import sessions, tokens
from arguments.demo import DEMO_USERS

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
    """Django's sign-in, counting every attempt before the password is checked (config/ratelimit.py).

    Attempts are counted per address and username (guessing one account's password) and per address
    alone (trying many accounts); beyond either limit the attempt is refused unchecked. A successful
    sign-in gives its count back, so a shared office address whose people type their passwords right
    is never locked out, while at most `limit` wrong passwords are tried per window, however many
    arrive at once.
    """

    redirect_authenticated_user = True
    counted: list[ratelimit.Verdict]  # this attempt's counts, set by post() before the form is checked

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "demo_accounts": demo_accounts()}

    def post(self, request, *args, **kwargs):
        attempts = ratelimit.sign_in_attempts(request, request.POST.get("username"))
        self.counted, refusal = ratelimit.count_attempt(request, attempts)
        if refusal is not None:
            return refusal
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        ratelimit.give_back(self.counted)
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset-by-email, limited per address so nobody can flood an inbox through us."""

    def post(self, request, *args, **kwargs):
        verdict = ratelimit.hit("password_reset", ratelimit.client_address(request))
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, "password_reset", verdict)
        return super().post(request, *args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request):
    """GET asks for confirmation; POST ends every session of the user, this one too, and revokes their API token."""
    user = request.user
    if request.method == "POST":
        ended = sessions.end_all(user)
        revoked = tokens.revoke(user)
        logout(request)
        what = f"{ended} session{'s' if ended != 1 else ''}" + (" and your API token" if revoked else "")
        messages.success(request, f"You are signed out everywhere ({what}).")
        return redirect("home")  # where logging out leads too
    context = {"session_count": sessions.count(user), "token": Token.objects.filter(user=user).first()}
    return render(request, "registration/sign_out_everywhere.html", context)


def demo_accounts() -> list[tuple[str, str]]:
    """The demo users `manage.py demo` made, with their roles, for the sign-in page of a development server
    (DEBUG on); a production server never lists accounts."""
    if not settings.DEBUG:
        return []
    present = set(get_user_model().objects.filter(username__in=DEMO_USERS).values_list("username", flat=True))
    return [(name, role) for name, role in DEMO_USERS.items() if name in present]
