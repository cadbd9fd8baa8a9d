"""Sending one e-mail through Amazon SES (API v2 ``SendEmail``; see docs/providers.md#amazon-ses-e-mail).

The message is built here as MIME (a text part, an optional HTML alternative, optional attachments)
and sent as ``Content.Raw``: one request shape for plain mail and mail with a PDF attached. The
client is boto3's ``sesv2``; ``EMAIL_ENDPOINT_URL`` points it at SES's sandbox twin locally (the
code path is otherwise the production one). SES has no idempotency key on send: callers deduplicate
on their side (a delivery record, a code stored before sending).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol

from pydantic import Field

from soko.providers.http import ProviderError
from soko.shared import aws
from soko.shared.config import BaseConfig, load
from soko.shared.observability import traced

MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES v2's limit for a whole message, attachments included
# Failures worth retrying later (the caller's queue retries); others are the message's own fault.
RETRYABLE = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "InternalFailure", "ServiceUnavailable"}
)


class EmailError(ProviderError):
    """SES refused or could not take the message; ``code`` is SES's error code when it gave one."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code

    @property
    def retryable(self) -> bool:
        return self.code is None or self.code in RETRYABLE


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "application/pdf"
    data: bytes


class EmailSender(Protocol):
    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        attachments: list[Attachment] | None = None,
    ) -> str: ...  # the provider's message id


class EmailConfig(BaseConfig):
    """A function that sends e-mail. ``EMAIL_FROM`` is a verified SES identity (an address, or one at
    a verified domain), optionally with a display name: ``Soko <no-reply@soko.ug>``."""

    email_from: str = Field(min_length=3)
    email_configuration_set: str = ""  # empty: none (bounces and complaints are then not routed)
    email_endpoint_url: str = ""  # empty: SES itself; locally the sandbox twin


def build_message(
    sender: str,
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    attachments: list[Attachment] | None = None,
) -> bytes:
    """The MIME message: text/plain, with text/html as its alternative, then the attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments or []:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message.as_bytes()


class SesEmail:
    """``EmailSender`` over SES v2 ``SendEmail`` (Raw content)."""

    def __init__(
        self, sender: str, *, configuration_set: str = "", endpoint_url: str = "", client: Any = None
    ):
        self.sender = sender
        self.configuration_set = configuration_set
        self._client = client
        self._endpoint_url = endpoint_url

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("sesv2", self._endpoint_url or None)
        return self._client

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        attachments: list[Attachment] | None = None,
    ) -> str:
        raw = build_message(self.sender, to, subject, text, html=html, attachments=attachments)
        if len(raw) > MAX_MESSAGE_BYTES:
            raise EmailError("the message is larger than SES accepts", code="MessageRejected")
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": raw}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            with traced("ses.send_email"):
                answer = self.client.send_email(**request)
        except Exception as err:  # botocore's ClientError and connection errors (no botocore import here)
            code = getattr(err, "response", {}).get("Error", {}).get("Code")
            raise EmailError(
                f"SES did not take the message ({code or type(err).__name__})", code=code
            ) from err
        return str(answer["MessageId"])


def configured_sender() -> EmailSender:
    """SES with the function's settings: ``EMAIL_FROM``, ``EMAIL_CONFIGURATION_SET``,
    ``EMAIL_ENDPOINT_URL``."""
    config = load(EmailConfig)
    return SesEmail(
        config.email_from,
        configuration_set=config.email_configuration_set,
        endpoint_url=config.email_endpoint_url,
    )
