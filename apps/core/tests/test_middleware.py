import json
import logging
import logging.config

import pytest

from apps.core.problems import PROBLEM_CONTENT_TYPE


def test_request_id_is_generated_and_returned(client):
    response = client.get("/health/live/")
    assert len(response["X-Request-ID"]) == 32


def test_request_id_from_the_caller_is_echoed(client):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_access_log_line_names_request_user_store_and_status(
    auth_client, member_of, store, caplog
):
    owner = member_of(store, "owner")
    client = auth_client(owner)
    with caplog.at_level(logging.INFO, logger="orderly.access"):
        client.get(f"/api/v1/stores/{store.slug}/", HTTP_X_REQUEST_ID="req-1")
    record = next(r for r in caplog.records if r.name == "orderly.access")
    assert record.request_id == "req-1"
    assert record.user_id == str(owner.pk)
    assert record.store == store.slug
    assert record.method == "GET"
    assert record.path == f"/api/v1/stores/{store.slug}/"
    assert record.status == 200
    assert record.duration_ms >= 0


def test_access_log_is_one_json_line(client, caplog):
    from django.conf import settings

    formatter = logging.config.DictConfigurator({}).configure_formatter(
        dict(settings.LOGGING["formatters"]["json"])
    )
    with caplog.at_level(logging.INFO, logger="orderly.access"):
        client.get("/health/live/", HTTP_X_REQUEST_ID="req-2")
    record = next(r for r in caplog.records if r.name == "orderly.access")

    line = formatter.format(record)

    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "request"
    assert data["request_id"] == "req-2"
    assert data["path"] == "/health/live/"
    assert data["status"] == 200


def test_body_over_the_limit_is_refused_with_413(client, settings):
    settings.API_MAX_BODY_BYTES = 100
    response = client.post(
        "/api/v1/auth/register/", data="x" * 101, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["code"] == "payload_too_large"


def test_malformed_content_length_is_a_400(client):
    response = client.generic(
        "POST",
        "/api/v1/auth/register/",
        b"{}",
        CONTENT_LENGTH="abc",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


class TestContentSecurityPolicy:
    """The policy built once gives each answer the headers django-csp gives it."""

    @staticmethod
    def both(request_path="/api/v1/", prepare=lambda request, response: None):
        from csp.middleware import CSPMiddleware
        from django.http import HttpResponse
        from django.test import RequestFactory

        from apps.core.middleware import ContentSecurityPolicyMiddleware

        answers = []
        for middleware in (CSPMiddleware, ContentSecurityPolicyMiddleware):
            request = RequestFactory().get(request_path)
            response = HttpResponse("{}")
            instance = middleware(lambda r, response=response: response)
            instance.process_request(request)
            prepare(request, response)
            instance.process_response(request, response)
            answers.append(
                {k: v for k, v in response.headers.items() if "Security" in k}
            )
        return answers

    def test_a_plain_answer_gets_the_settings_policy(self, settings):
        ours, theirs = self.both()[1], self.both()[0]
        assert ours == theirs
        assert "default-src 'self'" in ours["Content-Security-Policy"]
        assert "Content-Security-Policy-Report-Only" not in ours

    def test_report_only_and_excluded_prefixes_follow_the_settings(self, settings):
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
            "DIRECTIVES": {"default-src": ["'none'"]},
            "EXCLUDE_URL_PREFIXES": ["/skip/"],
        }
        ours, theirs = self.both()[1], self.both()[0]
        assert ours == theirs
        assert ours["Content-Security-Policy-Report-Only"] == "default-src 'none'"
        skipped = self.both("/skip/here/")
        assert skipped[0] == skipped[1]
        assert "Content-Security-Policy-Report-Only" not in skipped[1]

    def test_a_changed_setting_is_not_served_from_the_kept_policy(self, settings):
        before = self.both()[1]["Content-Security-Policy"]
        settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
        assert self.both()[1]["Content-Security-Policy"] == "default-src 'none'"
        assert before != "default-src 'none'"

    def test_an_answer_that_changes_its_policy_or_uses_a_nonce_is_built_for_it(
        self, settings
    ):
        from csp.constants import NONCE

        def update(request, response):
            response._csp_update = {"img-src": ["https://img.example"]}

        theirs, ours = self.both(prepare=update)
        assert ours == theirs
        assert "https://img.example" in ours["Content-Security-Policy"]

        def nonce(request, response):
            str(request.csp_nonce)

        settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [NONCE]}}
        theirs, ours = self.both(prepare=nonce)
        assert "'nonce-" in ours["Content-Security-Policy"]
        assert theirs.keys() == ours.keys()

    def test_a_header_already_set_is_kept(self):
        def preset(request, response):
            response["Content-Security-Policy"] = "sandbox"

        theirs, ours = self.both(prepare=preset)
        assert ours == theirs == {"Content-Security-Policy": "sandbox"}

    def test_the_nonce_cannot_be_asked_for_after_the_header_is_written(self, client):
        from csp.exceptions import CSPNonceError

        response = client.get("/health/live/")
        assert "Content-Security-Policy" in response
        with pytest.raises(CSPNonceError):
            str(response.wsgi_request.csp_nonce)
