"""Password reset by e-mail (POST /auth/password/forgot with ``email``): the code goes through SES's
sandbox twin over HTTP (boto3's sesv2 client pointed at it, as at SES itself), in the account's
language; the same code rules as by SMS (hashed, 10 minutes, 5 tries, 3 an hour, never logged)."""

from __future__ import annotations

import re

from soko.identity import texts

NEW_PASSWORD = "Cassava-field-42"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _forgot(api, **who):
    return api.post("/auth/password/forgot", who)


def _mail_codes(sms, address):
    found = [CODE.findall(m["text"]) for m in sms.mails(to=address)]
    assert all(len(f) == 1 for f in found), found
    return [f[0] for f in found]


def _reset_sms(sms):
    return [m for m in sms.messages() if m["message"].startswith("Your Soko code is")]


def test_an_email_only_account_resets_its_password_by_email(api, users, sms, users_table) -> None:
    user = users.register(session=None, full_name="Nakato Sarah")  # no phone at all

    reply = _forgot(api, email=user.email.upper())

    assert reply.status == 202, reply.text
    [mail] = sms.mails(to=user.email)
    assert mail["to"] == user.email
    assert mail["from"] == "Soko <no-reply@soko.ug>"  # the template's EmailFrom
    assert mail["subject"] == "Your Soko password reset code"
    assert mail["text"].startswith("Hello Nakato Sarah,")
    assert "expires in 10 minutes" in mail["text"]
    assert mail["html"] is None and mail["attachments"] == []
    assert _reset_sms(sms) == []
    [code] = _mail_codes(sms, user.email)
    stored = str(users_table.of_user(user.id))
    assert code not in stored  # only its hash is kept

    wrong = api.post(
        "/auth/password/reset",
        {"email": user.email, "code": f"{(int(code) + 1) % 10**6:06d}", "new_password": NEW_PASSWORD},
    )
    assert wrong.status == 422 and wrong.error["code"] == "INVALID_RESET_CODE"
    done = api.post("/auth/password/reset", {"email": user.email, "code": code, "new_password": NEW_PASSWORD})
    assert done.status == 204, done.text

    assert api.post("/auth/login", {"email": user.email, "password": user.password}).status == 401
    assert api.post("/auth/login", {"email": user.email, "password": NEW_PASSWORD}).status == 200
    used = api.post(
        "/auth/password/reset", {"email": user.email, "code": code, "new_password": "Other-Pass-2026x"}
    )
    assert used.status == 422


def test_the_answer_is_the_same_whether_or_not_the_account_exists(api, users, sms) -> None:
    user = users.register(session=None)
    pending = users.register(phone="+256772123456", verify_phone=False, session=None)

    replies = [
        _forgot(api, email=user.email),
        _forgot(api, email="nobody-here@example.com"),
        _forgot(api, phone="+256772123456"),  # a pending phone: neither e-mail nor SMS may be used
    ]

    assert {r.status for r in replies} == {202}
    assert len({r.text for r in replies}) == 1
    assert len({tuple(sorted(r.headers.items())) for r in replies}) == 1
    assert [m["to"] for m in sms.mails()] == [user.email]
    assert sms.mails(to=pending.email) == []
    assert _reset_sms(sms) == []
    assert CODE.findall(replies[0].text) == []


def test_asked_by_email_an_account_with_a_phone_gets_one_code_on_both_channels(api, users, sms) -> None:
    user = users.register(phone="+256772123456", session=None)

    assert _forgot(api, email=user.email).status == 202

    [by_mail] = _mail_codes(sms, user.email)
    [text] = _reset_sms(sms)
    assert text["to"] == "+256772123456"
    assert CODE.findall(text["message"]) == [by_mail]
    # asked by phone, only the SMS goes
    assert _forgot(api, phone=user.phone).status == 202
    assert len(sms.mails(to=user.email)) == 1
    assert len(_reset_sms(sms)) == 2


def test_the_email_is_in_the_accounts_language(api, users, sms) -> None:
    user = users.register(session="mint", full_name="Mukasa John")
    assert api.put("/users/me", {"language": "lg"}, token=user.access_token).status == 200

    _forgot(api, email=user.email)

    [mail] = sms.mails(to=user.email)
    [code] = _mail_codes(sms, user.email)
    assert mail["subject"] == texts.reset_code_mail(code, "lg", "Mukasa John", 10).subject
    assert mail["text"] == texts.reset_code_mail(code, "lg", "Mukasa John", 10).text + "\n"
    assert "Koodi" in mail["text"]


def test_at_most_three_emails_an_hour_and_only_the_newest_code_works(api, users, sms) -> None:
    user = users.register(session=None)

    for _ in range(4):
        assert _forgot(api, email=user.email).status == 202

    codes = _mail_codes(sms, user.email)
    assert len(codes) == 3
    if codes[0] != codes[-1]:
        old = api.post(
            "/auth/password/reset", {"email": user.email, "code": codes[0], "new_password": NEW_PASSWORD}
        )
        assert old.status == 422
    new = api.post(
        "/auth/password/reset", {"email": user.email, "code": codes[-1], "new_password": NEW_PASSWORD}
    )
    assert new.status == 204, new.text


def test_an_ses_failure_is_not_the_clients_problem_and_no_code_is_logged(
    api_with, users, sms, log_output
) -> None:
    user = users.register(session=None)
    unreachable = api_with({"EMAIL_ENDPOINT_URL": "http://127.0.0.1:9/_sandbox/email"})

    reply = unreachable.post("/auth/password/forgot", {"email": user.email})
    assert reply.status == 202, reply.text
    assert sms.mails() == []
    assert "sending a reset code by e-mail failed" in log_output()

    api_with({}).post("/auth/password/forgot", {"email": user.email})
    logs = log_output()  # read before the mailbox (its own request line would name the address)
    [code] = _mail_codes(sms, None)
    assert code not in logs
    assert user.email not in logs
