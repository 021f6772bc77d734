"""Account endpoints: registration, JWT tokens, password flows and profile."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from . import services
from .selectors import user_from_request
from .serializers import (
    DetailOutputSerializer,
    LogoutInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetRequestInputSerializer,
    TokenObtainInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
    UserRegisterInputSerializer,
    UserUpdateInputSerializer,
)
from .throttles import (
    LoginRateThrottle,
    PasswordResetRateThrottle,
    RegisterRateThrottle,
)

AUTH_TAG = ["auth"]


class PublicAuthView(APIView):
    """An endpoint for callers without an access token (they may hold a refresh one).

    Token errors still answer 401 with ``WWW-Authenticate``, as SimpleJWT's own
    token views do, rather than DRF's 403 for views without authenticators.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class RegisterView(PublicAuthView):
    throttle_classes = (RegisterRateThrottle,)

    @extend_schema(
        tags=AUTH_TAG,
        request=UserRegisterInputSerializer,
        responses={201: UserOutputSerializer},
        summary="Register a new account",
    )
    def post(self, request: Request) -> Response:
        serializer = UserRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=AUTH_TAG,
    summary="Obtain an access/refresh token pair",
    responses={200: TokenPairOutputSerializer},
)
class TokenObtainView(jwt_views.TokenObtainPairView):
    serializer_class = TokenObtainInputSerializer
    throttle_classes = (LoginRateThrottle,)


@extend_schema(
    tags=AUTH_TAG,
    summary="Exchange a refresh token for a new pair (the old one is revoked)",
    responses={200: TokenPairOutputSerializer},
)
class TokenRefreshView(jwt_views.TokenRefreshView):
    pass


class LogoutView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        request=LogoutInputSerializer,
        responses={204: None},
        summary="Log out: revoke a refresh token",
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=AUTH_TAG,
        request=PasswordChangeInputSerializer,
        responses={200: TokenPairOutputSerializer},
        summary="Change the password; every session is revoked, a new pair returned",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens = services.user_password_change(
            user=user_from_request(request), **serializer.validated_data
        )
        return Response(TokenPairOutputSerializer(tokens).data)


class PasswordResetRequestView(PublicAuthView):
    throttle_classes = (PasswordResetRateThrottle,)

    @extend_schema(
        tags=AUTH_TAG,
        request=PasswordResetRequestInputSerializer,
        responses={202: DetailOutputSerializer},
        summary="Email a password reset link (same answer whether or not it exists)",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response(
            {"detail": "If an account uses this address, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicAuthView):
    throttle_classes = (PasswordResetRateThrottle,)

    @extend_schema(
        tags=AUTH_TAG,
        request=PasswordResetConfirmInputSerializer,
        responses={204: None},
        summary="Set a new password with the emailed uid and token",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["users"],
        summary="Read your own profile",
        responses={200: UserOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(user_from_request(request)).data)

    @extend_schema(
        tags=["users"],
        summary="Change your own names",
        request=UserUpdateInputSerializer,
        responses={200: UserOutputSerializer},
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = UserUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(
            user=user_from_request(request), **serializer.validated_data
        )
        return Response(UserOutputSerializer(user).data)
