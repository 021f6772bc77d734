"""Input and output shapes of the account endpoints."""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from apps.core.serializers import StrictInputSerializer

from .models import User


def _password_field() -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
    )


class UserRegisterInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = _password_field()
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")


class UserUpdateInputSerializer(StrictInputSerializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class UserOutputSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "date_joined"]
        read_only_fields = fields


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Access token (5 minutes).")
    refresh = serializers.CharField(help_text="Refresh token (7 days, single use).")


class LogoutInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordChangeInputSerializer(StrictInputSerializer):
    current_password = _password_field()
    new_password = _password_field()


class PasswordResetRequestInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(StrictInputSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = _password_field()


class DetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenRefreshInputSerializer(TokenRefreshSerializer):
    """SimpleJWT's refresh, answering 401 (not 500) when the user is gone."""

    refresh = serializers.CharField(max_length=2048)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist as exc:
            raise AuthenticationFailed(
                "No active account found for the given token.", "no_active_account"
            ) from exc
