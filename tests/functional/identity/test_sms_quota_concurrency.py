"""SMS quotas hold under concurrency: 20 parallel requests for one phone send at most 3 codes.

The functions run in-process in 20 threads against moto, each request a full handler invocation
(the same code path as Lambda). The invoker sets the functions' environment once and leaves it set
(``setenv``), so the threads never see each other's variables come and go. Each of moto's DynamoDB
requests runs alone, as each DynamoDB request is atomic (moto's own are not across threads)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import make_invoker
from support.moto_serial import serialized_dynamodb

PARALLEL = 20
LIMIT = 3


@pytest.fixture
def parallel_api(deployment, app_model: AppModel, sms, monkeypatch) -> Api:
    serialized_dynamodb(monkeypatch)
    invoke = make_invoker(
        deployment,
        overrides=lambda: {"AFRICASTALKING_BASE_URL": sms.africastalking_base_url},
        setenv=monkeypatch.setenv,
    )
    return Api(invoke, app_model.http_apis[0].routes, run_authorizer=True)


def _in_parallel(call, n=PARALLEL):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


def test_20_parallel_password_resets_for_one_phone_send_at_most_3_codes(
    users, parallel_api, sms, users_table
) -> None:
    user = users.register("farmer", phone="+256772123456", session=None)
    assert len(sms.messages(to=user.phone)) == 1  # the verification code

    replies = _in_parallel(lambda: parallel_api.post("/auth/password/forgot", {"phone": user.phone}))

    assert [r.status for r in replies] == [202] * PARALLEL
    resets = [m for m in sms.messages(to=user.phone) if m["message"].startswith("Your Soko code is")]
    assert 1 <= len(resets) <= LIMIT, len(resets)
    quota = users_table.item(f"SMSQUOTA#{user.phone}", "reset")
    assert quota["sent"] == len(resets)  # every code sent was counted first


def test_20_parallel_phone_changes_to_one_number_send_at_most_3_codes(users, parallel_api, sms) -> None:
    accounts = [users.register("buyer") for _ in range(4)]
    target = "+256772999000"

    turns = iter(range(PARALLEL))

    def put():
        user = accounts[next(turns) % len(accounts)]
        return parallel_api.put("/users/me", {"phone": target}, token=user.access_token)

    replies = _in_parallel(put)

    codes = re.findall(
        r"confirm this phone is (\d{6})", " ".join(m["message"] for m in sms.messages(to=target))
    )
    assert 1 <= len(codes) <= LIMIT, len(codes)
    assert sorted({r.status for r in replies}) in ([200, 429], [200, 409, 429])  # 409: a concurrent edit
    assert sum(r.status == 200 for r in replies) >= len(codes)
    assert all(r.error["code"] == "SMS_LIMIT_REACHED" for r in replies if r.status == 429)
