"""The SES twin (soko_local.sandbox_email): boto3's own sesv2 client sends to it, the mailbox reads
what arrived, and refusals come back as botocore ClientErrors with SES's codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from soko.providers.email import Attachment, EmailError, SesEmail
from soko_local.sandbox import Sandbox
from support.sandbox import SandboxServer


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture
def ses(server: SandboxServer) -> Any:
    server.sandbox = Sandbox()
    return boto3.client(
        "sesv2",
        endpoint_url=server.email_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def test_the_adapter_sends_and_the_mailbox_reads(server: SandboxServer, ses: Any) -> None:
    sender = SesEmail("Soko <no-reply@soko.ug>", configuration_set="soko", client=ses)

    message_id = sender.send(
        "Buyer@Example.com",
        "Receipt",
        "Thanks",
        attachments=[Attachment("r.pdf", "application/pdf", b"%PDF")],
    )

    [mail] = server.mails(to="buyer@example.com")
    assert mail["id"] == message_id
    assert (mail["subject"], mail["text"], mail["configuration_set"]) == ("Receipt", "Thanks\n", "soko")
    assert mail["attachments"] == [{"filename": "r.pdf", "content_type": "application/pdf", "size": 4}]
    assert mail["at"].endswith("Z")
    assert server.mails(to="someone-else@example.com") == []


def test_simple_content_is_taken_too(server: SandboxServer, ses: Any) -> None:
    ses.send_email(
        FromEmailAddress="no-reply@soko.ug",
        Destination={"ToAddresses": ["a@example.com", "b@example.com"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Hi"},
                "Body": {"Text": {"Data": "T"}, "Html": {"Data": "<b>H</b>"}},
            }
        },
    )
    assert [(m["to"], m["text"], m["html"]) for m in server.mails()] == [
        ("a@example.com", "T", "<b>H</b>"),
        ("b@example.com", "T", "<b>H</b>"),
    ]


def test_refusals_have_ses_codes(server: SandboxServer, ses: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ses.send_email(
            FromEmailAddress="no-reply@soko.ug",
            Destination={"ToAddresses": [f"u{i}@example.com" for i in range(51)]},
            Content={"Simple": {"Subject": {"Data": "S"}, "Body": {"Text": {"Data": "T"}}}},
        )
    assert caught.value.response["Error"]["Code"] == "MessageRejected"
    with pytest.raises(EmailError) as refused:
        SesEmail("no-reply@soko.ug", client=ses).send("not-an-address", "S", "T")
    assert refused.value.code == "BadRequestException"
    assert server.mails() == []
