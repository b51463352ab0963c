"""Tokens for scripts: exchange a username and password for a token, or revoke your token."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config import ratelimit

from . import serializers as s
from .parsers import JSONObjectParser


class TokenView(ObtainAuthToken):
    """POST gives the user's token (the same one each time until revoked); DELETE revokes it."""

    serializer_class = AuthTokenSerializer
    parser_classes = [JSONObjectParser, FormParser, MultiPartParser]  # ObtainAuthToken names DRF's JSONParser

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    @extend_schema(
        summary="Get an API token with your username and password",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 400: s.INVALID, 429: s.DetailSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        # A password can be guessed here as well as on the sign-in page: the same counters, counted
        # before the password is checked (config/ratelimit.py). request.data is a JSON object or a
        # form here (api/parsers.py refuses anything else with a 400).
        attempts = ratelimit.sign_in_attempts(request._request, request.data.get("username"))
        counted, refusal = ratelimit.count_attempt(request._request, attempts)
        if refusal is not None:
            return refusal
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            raise exceptions.ValidationError(serializer.errors)
        ratelimit.give_back(counted)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(summary="Revoke your API token", request=None, responses={204: None, 403: s.DetailSerializer})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
