"""Tokens for scripts: exchange a username and password for a token, or revoke your token."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config import ratelimit

from . import serializers as s


def _login_scopes(request) -> list[tuple[str, str]]:
    """The sign-in page's counters: failures per address and username, and per address alone."""
    address = ratelimit.client_address(request._request)
    data = request.data if hasattr(request.data, "get") else {}  # a JSON body may be a list or a number
    username = str(data.get("username", "")).strip().lower()[:150]
    return [("login_ip", address), ("login", f"{address}|{username}")]


class TokenView(ObtainAuthToken):
    """POST gives the user's token (the same one each time until revoked); DELETE revokes it."""

    serializer_class = AuthTokenSerializer

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    @extend_schema(
        summary="Get an API token with your username and password",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 400: s.INVALID, 429: s.DetailSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        # A password can be guessed here as well as on the sign-in page: the same limits apply.
        scopes = _login_scopes(request)
        for scope, who in scopes:
            verdict = ratelimit.peek(scope, who)
            if not verdict.allowed:
                return ratelimit.too_many_requests(request._request, scope, verdict)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            for scope, who in scopes:
                ratelimit.hit(scope, who)
            raise exceptions.ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(summary="Revoke your API token", request=None, responses={204: None, 403: s.DetailSerializer})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
