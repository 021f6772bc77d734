"""Serializers shared by every app: strict input and the problem document."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that rejects fields it does not know.

    A typo in a field name (``fist_name``) is a 400 that names the field, rather
    than a request that silently does less than the caller meant.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError(
                    {
                        key: [
                            serializers.ErrorDetail(
                                "Unknown field.", code="unknown_field"
                            )
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


class EmptyInputSerializer(StrictInputSerializer):
    """A body with no fields: ``{}`` or nothing; any field is refused."""


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted path of the field; null for the request."
    )
    code = serializers.CharField(help_text="Machine code, e.g. `required`.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error response is rendered."""

    type = serializers.CharField(help_text="URN naming the problem type.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong and how to fix it.")
    code = serializers.CharField(
        help_text="Stable machine code, e.g. `validation_error`, `not_found`."
    )
    # A field named like Serializer.errors: DRF moves declared fields off the class.
    errors = ProblemFieldErrorSerializer(many=True)  # type: ignore[assignment]
    retry_after = serializers.IntegerField(
        required=False, help_text="Seconds to wait (throttled responses only)."
    )
