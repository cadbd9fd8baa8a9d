"""template.yaml keeps the project's rules: cfn-lint clean in both forms, DLQs with alarms, log groups
with retention, python3.13 on arm64 with real handlers, least privilege, one Lambda per endpoint,
EventBridge -> SQS -> Lambda, described functions, and the platform settings (tracing, authorizer,
CORS, throttling, event archive, idempotency TTL); data people would miss (PITR on every table, a
versioned media bucket), uploads only under their prefixes, public functions' narrow data access,
and a prod configuration that never reaches a provider sandbox (docs/security.md).

The checks themselves live in template_checks.py (pure functions returning the problems found);
test_template_mutations.py proves each one fails on a broken template.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import template_checks as checks
from template_checks import Templates


def assert_passes(check: Callable[[Templates], list[str]], templates: Templates) -> None:
    problems = check(templates)
    assert not problems, f"{check.__doc__}\n  " + "\n  ".join(problems)


# 1 ------------------------------------------------------------------------------------------
def test_cfn_lint_sam_template(templates: Templates) -> None:
    """cfn-lint finds no error or warning in template.yaml (SAM form)."""
    assert_passes(checks.lint_sam, templates)


def test_cfn_lint_translated_template(templates: Templates) -> None:
    """cfn-lint finds no error or warning in the translated CloudFormation."""
    assert_passes(checks.lint_translated, templates)


# 1b -----------------------------------------------------------------------------------------
def test_every_stack_is_within_the_resource_budget(templates: Templates) -> None:
    assert_passes(checks.stacks_within_budget, templates)


def test_the_application_is_split_into_nested_stacks(templates: Templates) -> None:
    """The budget check is not vacuous: it counts the root and each domain stack, and together they
    hold every function the application runs."""
    names = {stack.name for stack in templates.stacks}
    assert {"template.yaml", "IdentityStack", "MarketStack", "PaymentsStack"} <= names
    counted = sum(
        1
        for stack in templates.stacks
        for resource in stack.cfn["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    )
    assert counted == len(templates.resources("AWS::Lambda::Function"))


# 2 ------------------------------------------------------------------------------------------
def test_every_queue_has_a_dead_letter_queue_with_an_alarm(templates: Templates) -> None:
    assert_passes(checks.queues_have_dead_letter_queues, templates)


# 3 ------------------------------------------------------------------------------------------
def test_every_function_has_a_log_group_with_retention(templates: Templates) -> None:
    assert_passes(checks.functions_have_log_groups, templates)


def test_every_scheduled_function_has_an_errors_alarm(templates: Templates) -> None:
    assert_passes(checks.scheduled_functions_have_error_alarms, templates)


def test_put_events_is_limited_by_source(templates: Templates) -> None:
    assert_passes(checks.put_events_is_limited_by_source, templates)


# 4 ------------------------------------------------------------------------------------------
def test_every_function_runs_python313_on_arm64(templates: Templates) -> None:
    assert_passes(checks.functions_use_the_runtime, templates)


def test_every_handler_exists_under_its_code_uri(templates: Templates) -> None:
    assert_passes(checks.handlers_exist, templates)


# 5 ------------------------------------------------------------------------------------------
def test_iam_is_least_privilege(templates: Templates) -> None:
    assert_passes(checks.least_privilege, templates)


# 6 ------------------------------------------------------------------------------------------
def test_one_function_per_route(templates: Templates) -> None:
    assert_passes(checks.one_function_per_route, templates)


def test_the_template_has_routes(templates: Templates) -> None:
    """The route check is not vacuous: it sees the routes the local runtime serves."""
    assert ("HttpApi", "GET", "/health", "HealthFunction") in checks.http_routes(templates)


# 6b -----------------------------------------------------------------------------------------
def test_the_request_path_uses_snapstart(templates: Templates) -> None:
    assert_passes(checks.request_path_uses_snapstart, templates)


def test_the_snapstart_check_sees_the_request_path(templates: Templates) -> None:
    """Not vacuous: every route's function, both authorizers and the USSD Function URL are in it."""
    path = checks._request_path(templates)
    assert {"HealthFunction", "AuthorizerFunction", "WsAuthorizerFunction", "UssdFunction"} <= set(path)
    routed = {fn for api, *_, fn in checks.http_routes(templates) if api == "HttpApi"}
    assert routed <= set(path)


# 7 ------------------------------------------------------------------------------------------
def test_event_rules_target_queues_and_schedules_target_functions(templates: Templates) -> None:
    assert_passes(checks.event_rule_targets, templates)


# 8 ------------------------------------------------------------------------------------------
def test_every_function_has_a_description(templates: Templates) -> None:
    assert_passes(checks.functions_have_descriptions, templates)


# 9 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "check",
    [
        checks.function_globals,
        checks.http_api_settings,
        checks.event_buses_archived,
        checks.idempotency_table_ttl,
    ],
    ids=lambda check: check.__name__,
)
def test_platform_settings(check: Callable[[Templates], list[str]], templates: Templates) -> None:
    assert_passes(check, templates)


# 10 -----------------------------------------------------------------------------------------
def test_every_table_has_point_in_time_recovery(templates: Templates) -> None:
    assert_passes(checks.tables_have_point_in_time_recovery, templates)


def test_the_media_bucket_is_versioned_with_noncurrent_expiry(templates: Templates) -> None:
    assert_passes(checks.media_bucket_versioned, templates)


def test_the_media_checks_see_the_media_bucket(templates: Templates) -> None:
    assert checks.media_buckets(templates) == {"MediaBucket"}


# 11 -----------------------------------------------------------------------------------------
def test_media_uploads_are_limited_to_their_prefixes(templates: Templates) -> None:
    assert_passes(checks.media_writes_are_prefixed, templates)


def test_the_prefix_check_sees_the_presigning_functions(templates: Templates) -> None:
    """Not vacuous: listing images and post media are written, each under its own prefix."""
    writers = {
        source: prefixes
        for source, prefixes in checks.media_writers(templates).items()
        if source.startswith(("ListingsImagesFunction", "PostsMediaFunction"))
    }
    assert writers == {"ListingsImagesFunctionRole": {"listings"}, "PostsMediaFunctionRole": {"posts"}}


# 12 -----------------------------------------------------------------------------------------
def test_prod_uses_the_live_providers(templates: Templates) -> None:
    assert_passes(checks.prod_uses_live_providers, templates)


LIVE = {
    "AFRICASTALKING_BASE_URL": "https://api.africastalking.com",
    "PESAPAL_BASE_URL": "https://pay.pesapal.com/v3",
    "MOMO_BASE_URL": "https://proxy.momoapi.mtn.com",
    "MOMO_TARGET_ENVIRONMENT": "mtnuganda",
}


@pytest.mark.parametrize("overrides", ["samconfig", "defaults"])
def test_the_provider_settings_are_evaluated_to_the_live_ones_in_prod(
    templates: Templates, overrides: str
) -> None:
    """Not vacuous: the check evaluates every provider setting of the functions that call providers,
    to the live endpoints in prod (and to the sandboxes in dev)."""
    given = checks.samconfig_overrides(templates.root, "prod") if overrides == "samconfig" else {}
    prod = checks.function_settings(templates, {**given, "Stage": "prod"})
    dev = checks.function_settings(templates, {"Stage": "dev"})
    for variable, live in LIVE.items():
        seen = {value for (_, name), value in prod.items() if name == variable}
        assert seen == {live}, (variable, seen)
        assert all(
            any(m in str(v) for m in checks.SANDBOX_MARKERS) for (_, n), v in dev.items() if n == variable
        ), variable
    callers = {fn for (fn, name) in prod if name in LIVE}
    assert {"PaymentsInitiateFunction", "NotificationsConsumerFunction", "PasswordForgotFunction"} <= callers


# 13 -----------------------------------------------------------------------------------------
def test_public_functions_data_access_is_narrow(templates: Templates) -> None:
    assert_passes(checks.public_data_access_is_narrow, templates)
