"""The SES adapter (soko.providers.email): the MIME message it builds and the SendEmail request."""

from __future__ import annotations

import base64
import email
import email.policy
from typing import Any

import pytest

from soko.providers.email import Attachment, EmailError, SesEmail, build_message


class FakeSes:
    def __init__(self, error: Exception | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.error = error

    def send_email(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.error:
            raise self.error
        return {"MessageId": "0100018c-abc"}


class ClientError(Exception):  # botocore's shape, without botocore
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": "x"}}


def test_the_message_has_text_html_and_the_attachment() -> None:
    raw = build_message(
        "Soko <no-reply@soko.ug>",
        "buyer@example.com",
        "Risiiti yo / Your receipt",
        "Text é",
        html="<p>Html</p>",
        attachments=[Attachment("receipt.pdf", "application/pdf", b"%PDF-1.7 data")],
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)

    assert message["To"] == "buyer@example.com"
    assert message["Subject"] == "Risiiti yo / Your receipt"
    assert message["Message-ID"].endswith("@soko.ug>")
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and plain.get_content() == "Text é\n"
    assert html is not None and html.get_content() == "<p>Html</p>\n"
    [pdf] = list(message.iter_attachments())
    assert pdf.get_filename() == "receipt.pdf"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_payload(decode=True) == b"%PDF-1.7 data"


def test_send_is_one_raw_send_email_with_the_configuration_set() -> None:
    ses = FakeSes()
    sender = SesEmail("Soko <no-reply@soko.ug>", configuration_set="soko-mail", client=ses)

    assert sender.send("a@example.com", "Subject", "Body") == "0100018c-abc"

    [request] = ses.requests
    assert request["FromEmailAddress"] == "Soko <no-reply@soko.ug>"
    assert request["Destination"] == {"ToAddresses": ["a@example.com"]}
    assert request["ConfigurationSetName"] == "soko-mail"
    raw = request["Content"]["Raw"]["Data"]
    assert isinstance(raw, bytes) and b"Subject: Subject" in raw
    assert base64.b64encode(raw)  # boto3 encodes the blob itself


def test_no_configuration_set_is_sent_when_none_is_configured() -> None:
    ses = FakeSes()
    SesEmail("no-reply@soko.ug", client=ses).send("a@example.com", "S", "B")
    assert "ConfigurationSetName" not in ses.requests[0]


@pytest.mark.parametrize(
    ("code", "retryable"),
    [("MessageRejected", False), ("TooManyRequestsException", True), ("AccountSuspendedException", False)],
)
def test_ses_errors_become_email_errors_with_their_code(code: str, retryable: bool) -> None:
    sender = SesEmail("no-reply@soko.ug", client=FakeSes(ClientError(code)))

    with pytest.raises(EmailError) as caught:
        sender.send("a@example.com", "S", "B")

    assert caught.value.code == code
    assert caught.value.retryable is retryable


def test_a_connection_failure_is_retryable() -> None:
    with pytest.raises(EmailError) as caught:
        SesEmail("no-reply@soko.ug", client=FakeSes(ConnectionError("down"))).send("a@example.com", "S", "B")
    assert caught.value.code is None and caught.value.retryable
