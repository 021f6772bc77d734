"""JWT authentication for the API: simplejwt's, with the user read as SQL."""

from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from .models import User
from .selectors import user_get_by_id


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's ``JWTAuthentication``, the token's user read by one SQL statement.

    Every signed-in request reads its user. simplejwt reads it with the ORM's
    ``get()``, which builds the statement each time (0.31 ms); written out, as
    ``user_get_by_id`` does, it takes 0.16 ms (docs/performance.md). The
    checks and their answers are simplejwt's: an unknown user, an inactive one,
    a token whose password hash no longer matches (when revocation is on).
    """

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(
                _("Token contained no recognizable user identification")
            ) from error
        user = self.read_user(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user

    def read_user(self, user_id: object) -> User | None:
        """The user the token names, active or not; None if there is none."""
        return user_get_by_id(user_id=user_id)


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of ``JWTAuthentication`` (simplejwt's)."""

    target_class = "apps.users.authentication.JWTAuthentication"
    match_subclasses = True  # apps.stores.authentication's, which the API uses
