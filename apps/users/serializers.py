"""Input and output shapes of the account endpoints."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)

from apps.core.models import max_length_of
from apps.core.serializers import (
    StrictCharField,
    StrictEmailField,
    StrictInputSerializer,
)

from .models import User

PASSWORD_MAX_LENGTH = 128


class PasswordField(StrictCharField):
    """A password, taken exactly as typed (spaces included)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PASSWORD_MAX_LENGTH)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(write_only=True, **kwargs)


def _min_password_length() -> int:
    lengths = [
        validator.min_length
        for validator in get_default_password_validators()
        if isinstance(validator, MinimumLengthValidator)
    ]
    return max(lengths, default=1)


class NewPasswordField(PasswordField):
    """A password to set; the password validators check it in the services."""

    @property
    def schema_extra(self) -> dict[str, Any]:
        # The one rule of the validators that a schema can state.
        return {"minLength": _min_password_length()}


EMAIL_MAX = max_length_of(User, "email")


class UserRegisterInputSerializer(StrictInputSerializer):
    email = StrictEmailField(max_length=EMAIL_MAX)
    password = NewPasswordField()
    first_name = StrictCharField(
        max_length=max_length_of(User, "first_name"),
        required=False,
        allow_blank=True,
        default="",
    )
    last_name = StrictCharField(
        max_length=max_length_of(User, "last_name"),
        required=False,
        allow_blank=True,
        default="",
    )


class UserUpdateInputSerializer(StrictInputSerializer):
    first_name = StrictCharField(
        max_length=max_length_of(User, "first_name"), required=False, allow_blank=True
    )
    last_name = StrictCharField(
        max_length=max_length_of(User, "last_name"), required=False, allow_blank=True
    )


class UserOutputSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "date_joined"]
        read_only_fields = fields


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Access token (5 minutes).")
    refresh = serializers.CharField(help_text="Refresh token (7 days, single use).")


class LogoutInputSerializer(StrictInputSerializer):
    refresh = StrictCharField(max_length=2048)


class PasswordChangeInputSerializer(StrictInputSerializer):
    current_password = PasswordField()
    new_password = NewPasswordField()


class PasswordResetRequestInputSerializer(StrictInputSerializer):
    email = StrictEmailField(max_length=EMAIL_MAX)


class PasswordResetConfirmInputSerializer(StrictInputSerializer):
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)
    new_password = NewPasswordField()


class DetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """SimpleJWT's login, with fields that take strings only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = StrictCharField(write_only=True)
        # As typed, as at registration (SimpleJWT's own field trims it).
        self.fields["password"] = PasswordField(max_length=None)


class TokenRefreshInputSerializer(TokenRefreshSerializer):
    """SimpleJWT's refresh, answering 401 (not 500) when the user is gone."""

    refresh = StrictCharField(max_length=2048)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist as exc:
            raise AuthenticationFailed(
                "No active account found for the given token.", "no_active_account"
            ) from exc
