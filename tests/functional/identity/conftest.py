"""Helpers for identity's functional suite: an in-process API Gateway, the Africa's Talking sandbox
over real HTTP, log capture, and direct reads of the users table.

``api`` behaves like the HTTP API in front of the functions: it finds the route's function from the
template's routes, runs the template's Lambda REQUEST authorizer (``AuthorizerFunction``) on the
bearer token exactly as the gateway would (no token: 401, refused: 403, both in API Gateway's own
``{"message"}`` shape), and passes the authorizer's context to the function in a payload-2.0 event
adapted from ``events/<LogicalId>.json``. Every function runs in-process through the root
``invoke`` fixture, against moto resources provisioned from ``template.yaml``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from soko.identity import tokens
from soko_local.provision import Deployment
from soko_local.sandbox import Sandbox
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import REGION, Invoke
from support.logs import capture_logs
from support.sandbox import SandboxServer
from support.tables import Table
from support.users import User

PASSWORD = "Mango-harvest-77"  # passes the policy; every helper account uses it unless told otherwise
VERIFY_CODE = re.compile(r"confirm this phone is (\d{6})")


def phone_codes(sms: SandboxServer, phone: str) -> list[str]:
    """The phone-verification codes texted to ``phone``, oldest first."""
    return [m[1] for m in (VERIFY_CODE.search(x["message"]) for x in sms.messages(to=phone)) if m]


# ---------------------------------------------------------------------------- the SMS sandbox
@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture
def sms(_sandbox_server: SandboxServer) -> SandboxServer:
    """The SMS sandbox, emptied for this test."""
    _sandbox_server.sandbox = Sandbox()
    return _sandbox_server


# ---------------------------------------------------------------------------- invoking with overrides
@pytest.fixture
def invoke_with(invoke: Invoke, deployment: Deployment) -> Callable[[dict[str, str]], Invoke]:
    """``invoke_with(overrides)`` is ``invoke`` where each override replaces the value of a variable the
    template gives the function (as a template parameter override would, e.g. the local runtime's
    ``AfricasTalkingBaseUrl``). Variables a function is not given stay unset for it."""

    def factory(overrides: dict[str, str]) -> Invoke:
        def call(logical_id: str, event: dict[str, Any]) -> Any:
            original = deployment.functions[logical_id]
            environment = {name: overrides.get(name, value) for name, value in original.environment.items()}
            deployment.functions[logical_id] = dataclasses.replace(original, environment=environment)
            try:
                return invoke(logical_id, event)
            finally:
                deployment.functions[logical_id] = original

        return call

    return factory


# ---------------------------------------------------------------------------- the gateway
@pytest.fixture
def api_with(
    invoke_with: Callable[[dict[str, str]], Invoke], app_model: AppModel, sms: SandboxServer
) -> Callable[[dict[str, str]], Api]:
    """``api_with(overrides)``: the gateway in front of functions whose template environment is
    overridden (see ``invoke_with``); the SMS sandbox is the default Africa's Talking, and the
    e-mail sandbox (the same server) the default SES endpoint."""

    def factory(overrides: dict[str, str]) -> Api:
        env = {
            "AFRICASTALKING_BASE_URL": sms.africastalking_base_url,
            "EMAIL_ENDPOINT_URL": sms.email_endpoint_url,
            **overrides,
        }
        return Api(invoke_with(env), app_model.http_apis[0].routes, run_authorizer=True)

    return factory


@pytest.fixture
def api(api_with: Callable[[dict[str, str]], Api]) -> Api:
    """The HTTP API in-process; password-reset SMS and e-mail go to the sandbox, never to the internet."""
    return api_with({})


# ---------------------------------------------------------------------------- accounts
@dataclass
class Users:
    """Accounts made through the API (argon2 is slow: make only the ones a test needs)."""

    api: Api
    deployment: Deployment
    sms: SandboxServer
    counter: int = 0

    def register(
        self,
        role: str = "farmer",
        *,
        phone: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
        full_name: str | None = None,
        session: str | None = "mint",
        verify_phone: bool = True,
    ) -> User:
        """A new account. ``session``: "login" signs in through the API (access and refresh token),
        "mint" only gets an access token as LoginFunction would issue it (no argon2 verification;
        the authorizer still verifies it on every request), None leaves it signed out. A ``phone``
        is verified with the code texted to it unless ``verify_phone`` is False (then it stays
        pending and ``user.phone`` is None)."""
        self.counter += 1
        email = email or f"user{self.counter}-{uuid.uuid4().hex[:6]}@example.com"
        body: dict[str, Any] = {"email": email, "password": password, "role": role}
        if phone:
            body["phone"] = phone
        body["fullName"] = full_name or f"Test User {self.counter}"
        reply = self.api.post("/auth/register", body)
        assert reply.status == 201, reply.text
        created = reply.json
        user = User(created["id"], role, email, password, created.get("phone"))
        if phone and verify_phone:
            self.verify_phone(user, created["pending_phone"])
        if session == "login":
            self.sign_in(user)
        elif session == "mint":
            self.mint_access_token(user)
        else:
            assert session is None, session
        return user

    def mint_access_token(self, user: User) -> User:
        """An access token as LoginFunction issues it (same key, issuer, audience), without the
        argon2 verification of a sign-in: for tests that need many signed-in accounts."""
        environment = self.deployment.functions["LoginFunction"].environment
        secret = boto3.client("secretsmanager", region_name=REGION).get_secret_value(
            SecretId=environment["JWT_SECRET_ARN"]
        )["SecretString"]
        user.access_token = tokens.issue_access_token(
            user_id=user.id,
            role=user.role,  # type: ignore[arg-type]
            email=user.email,
            secret=secret,
            issuer=environment["JWT_ISSUER"],
            audience=environment["JWT_AUDIENCE"],
        )
        return user

    def verify_phone(self, user: User, phone: str) -> User:
        """Confirm the pending ``phone`` with the newest code texted to it."""
        token = user.access_token or self.mint_access_token(dataclasses.replace(user)).access_token
        reply = self.api.post(
            "/users/me/phone/verify", {"code": phone_codes(self.sms, phone)[-1]}, token=token
        )
        assert reply.status == 200, reply.text
        user.phone = reply.json["phone"]
        return user

    def sign_in(self, user: User) -> User:
        reply = self.api.post("/auth/login", {"email": user.email, "password": user.password})
        assert reply.status == 200, reply.text
        user.access_token = reply.json["access_token"]
        user.refresh_token = reply.json["refresh_token"]
        return user


@pytest.fixture
def users(api: Api, deployment: Deployment, sms: SandboxServer) -> Users:
    return Users(api, deployment, sms)


@pytest.fixture
def admin(api: Api, users: Users, deployment: Deployment) -> User:
    """The admin account, created as ``make create-admin`` does, then signed in through the API."""
    from soko_tools.admin import ensure_admin  # noqa: PLC0415  (needs the mocked AWS)

    email, password = "root-admin@soko.example", "Kampala-admin-Key-2026"
    user_id = ensure_admin(deployment.physical["UsersTable"], email, password)
    return users.sign_in(User(user_id, "admin", email, password))


# ---------------------------------------------------------------------------- the users table
class UsersTable(Table):
    def profile(self, user_id: str) -> dict[str, Any] | None:
        return self.item(f"USER#{user_id}", "PROFILE")

    def of_user(self, user_id: str) -> list[dict[str, Any]]:
        return self.partition(f"USER#{user_id}")


@pytest.fixture
def users_table(deployment: Deployment) -> UsersTable:
    return UsersTable(deployment.physical["UsersTable"])


# ---------------------------------------------------------------------------- logs
@pytest.fixture
def log_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """Our logger at DEBUG, every other logger (boto, Powertools internals, werkzeug) at INFO."""
    with capture_logs(capsys, caplog, {None: logging.INFO}) as read:
        yield read


@pytest.fixture
def powertools_debug_log_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """As ``log_output``, with Powertools' own loggers at DEBUG too (what ``POWERTOOLS_DEBUG=true``
    or a Lambda application log level of DEBUG turns on). boto's DEBUG output, which prints every
    DynamoDB request and response, stays at INFO: no application can keep secrets out of that."""
    levels = {None: logging.INFO, "aws_lambda_powertools": logging.DEBUG}
    with capture_logs(capsys, caplog, levels) as read:
        yield read
