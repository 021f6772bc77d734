"""The payment webhook: a provider tells the store that an order was paid.

No JWT: the call is authenticated by its Standard Webhooks signature, made with
the store's webhook secret (``apps.stores.webhooks``). A verified event is
answered 200 whatever its outcome, so that the provider stops sending it; the
outcome says whether it paid the order, was refused (and why), or had been
processed already. An unverified call is a 400 and changes nothing.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.serializers import ProblemSerializer
from apps.stores.selectors import store_resolve
from apps.stores.webhooks import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    webhook_verify,
)

from . import services
from .serializers import PaymentEventInputSerializer, PaymentResultSerializer

EVENT_ID_MAX = 255


def _event_id(payload: dict[str, Any], headers: Any) -> str:
    """The provider's event id from the body, else the signed message id."""
    value = payload.get("id")
    if isinstance(value, str) and 1 <= len(value) <= EVENT_ID_MAX:
        return value
    return str(headers.get(ID_HEADER, ""))[:EVENT_ID_MAX]


@extend_schema(
    tags=["payments"],
    summary="Payment provider callback (Standard Webhooks signature, no JWT)",
    auth=[],
    parameters=[
        OpenApiParameter(
            ID_HEADER,
            {"type": "string", "pattern": r"^[^.]{1,255}$"},
            OpenApiParameter.HEADER,
            required=True,
            description="The message id (no `.`).",
        ),
        OpenApiParameter(
            TIMESTAMP_HEADER,
            {"type": "string", "pattern": r"^[0-9]{1,12}$"},
            OpenApiParameter.HEADER,
            required=True,
            description="Unix seconds; refused when five minutes away from now.",
        ),
        OpenApiParameter(
            SIGNATURE_HEADER,
            {"type": "string", "minLength": 1},
            OpenApiParameter.HEADER,
            required=True,
            description="`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, "
            "several separated by spaces.",
        ),
    ],
    request=PaymentEventInputSerializer,
    responses={
        200: PaymentResultSerializer,
        400: OpenApiResponse(
            ProblemSerializer,
            description="`missing_headers`, `invalid_headers`, `stale_timestamp`, "
            "`invalid_signature`, `invalid_payload`: nothing was recorded.",
        ),
    },
)
class PaymentWebhookView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request, store_slug: str) -> Response:
        store = store_resolve(slug=store_slug, user=None).store
        # The signature covers the raw bytes: read them before any parser does.
        payload = webhook_verify(
            store=store, headers=request.headers, body=request.body
        )
        result = services.payment_event_process(
            store=store, event_id=_event_id(payload, request.headers), payload=payload
        )
        return Response(
            PaymentResultSerializer(
                {"outcome": result.outcome, "reason": result.reason}
            ).data
        )
