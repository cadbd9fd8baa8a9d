"""The local WebSocket gateway's pieces: RFC 6455 frames and handshake, and the WebSocket API read
from the translated template."""

from __future__ import annotations

import io

import pytest

from soko_local.template import AppModel
from soko_local.websocket import accept_key, encode_frame, read_frame, websocket_apis


def test_the_rfc_6455_sample_handshake_key() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
@pytest.mark.parametrize("mask", [False, True])
def test_frames_round_trip_at_every_length_encoding(size: int, mask: bool) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert read_frame(io.BytesIO(encode_frame(0x1, payload, mask=mask))) == (True, 0x1, payload)


def test_a_truncated_frame_is_a_closed_connection() -> None:
    with pytest.raises(ConnectionError):
        read_frame(io.BytesIO(encode_frame(0x1, b"hello")[:-2]))


def test_the_template_websocket_api(app_model: AppModel) -> None:
    (api,) = websocket_apis(app_model.cfn)
    assert api.selection_field == "action"
    assert api.routes == {
        "$connect": "WsConnectFunction",
        "$disconnect": "WsDisconnectFunction",
        "sendMessage": "WsSendMessageFunction",
    }
    assert (api.connect_authorizer, api.identity_query) == ("WsAuthorizerFunction", ("token",))
