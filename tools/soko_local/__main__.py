"""``python -m soko_local``: run the local runtime, fire a schedule, or show the endpoints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]


class SettingError(Exception):
    """A setting ``make dev`` cannot start with; the message is the one line the console shows."""


def _check_admin() -> None:
    from pydantic import EmailStr, TypeAdapter, ValidationError  # noqa: PLC0415

    from soko.identity.passwords import check_policy  # noqa: PLC0415
    from soko.shared.errors import SokoError  # noqa: PLC0415
    from soko_local.bootstrap import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD  # noqa: PLC0415

    email = os.environ.get("SOKO_ADMIN_EMAIL", DEV_ADMIN_EMAIL)
    try:
        TypeAdapter(EmailStr).validate_python(email)
    except ValidationError:
        raise SettingError(f"SOKO_ADMIN_EMAIL={email!r} is not an email address") from None
    try:
        check_policy(os.environ.get("SOKO_ADMIN_PASSWORD", DEV_ADMIN_PASSWORD), email=email)
    except SokoError as err:  # the message names the rule, never the password
        raise SettingError(f"SOKO_ADMIN_PASSWORD is refused by the password policy: {err.message}") from None


def _check_parameters(template: Path, parameters: dict[str, str]) -> None:
    from soko_local.template import TemplateError, load_yaml  # noqa: PLC0415

    if not template.is_file():
        raise SettingError(f"no template at {template}")
    try:
        declared: dict[str, Any] = load_yaml(template).get("Parameters") or {}
    except (TemplateError, ValueError) as err:
        raise SettingError(f"cannot read {template.name}: {' '.join(str(err).split())[:200]}") from None
    for name, value in parameters.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise SettingError(f"PARAMS: {template.name} has no parameter {name!r} (it has: {known})")
        allowed = [str(v) for v in declared[name].get("AllowedValues") or []]
        if allowed and value not in allowed:
            raise SettingError(f"PARAMS: {name}={value!r} is not one of {', '.join(allowed)}")


def _dev(args: argparse.Namespace) -> int:
    given = dict(p.split("=", 1) for p in args.parameter)
    parameters = {"Stage": "local", **given}
    try:
        _check_parameters(Path(args.template), given)
        _check_admin()
    except SettingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from soko_local.runtime import LocalRuntime, RuntimeOptions  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    options = RuntimeOptions(
        template=Path(args.template),
        host=args.host,
        port=args.port,
        watch=not args.no_watch,
        run_schedules=not args.no_schedules,
        parameters=parameters,
    )
    runtime = LocalRuntime(options)
    try:
        runtime.start()
    except OSError as err:
        print(
            f"error: cannot serve on {args.host}:{args.port}: {err}. Try PORT=<another port>.",
            file=sys.stderr,
        )
        runtime.stop()
        return 1
    try:
        return _serve(runtime, args)
    except KeyboardInterrupt:
        return 130
    finally:
        runtime.stop()


def _serve(runtime: Any, args: argparse.Namespace) -> int:
    from soko.shared.errors import SokoError  # noqa: PLC0415
    from soko_local import demo  # noqa: PLC0415
    from soko_local.bootstrap import create_admin  # noqa: PLC0415

    try:
        create_admin(runtime)
    except SokoError as err:
        print(f"error: the admin account cannot be created: {err.message}", file=sys.stderr)
        return 2
    if not args.empty:
        try:
            demo.load(runtime, _say)
        except demo.DemoError as err:  # the runtime itself works: keep serving, say what is missing
            _say(f"warning: {err}; the runtime serves without it (`make seed`, `make ingest-wfp` retry)")
    endpoints = runtime.endpoints()
    print(
        f"\n  Soko local runtime\n  Web app    {endpoints['http_api']}/  (admins: /admin)"
        f"\n  HTTP API   {endpoints['http_api']}\n  API docs   {endpoints['docs']}"
    )
    print(
        f"  endpoints  {endpoints['http_api']}/_local/endpoints\n  AWS (moto) {endpoints['aws_endpoint']}\n",
        flush=True,
    )
    if args.ready_file:
        # Written whole and then renamed: a reader polling for the file never sees it half-written.
        ready = Path(args.ready_file)
        partial = ready.with_name(ready.name + ".partial")
        partial.write_text(json.dumps(endpoints))
        partial.replace(ready)
    training = None if args.empty or args.no_train else demo.train_in_background(runtime, _say)
    runtime.wait()
    if training is not None:
        training.stop()
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


def _remote(args: argparse.Namespace, method: str, path: str) -> int:
    url = f"http://{args.host}:{args.port}{path}"
    try:
        response = requests.request(method, url, timeout=600)
    except requests.ConnectionError:
        print(
            f"error: no local runtime at {args.host}:{args.port}; start it with `make dev`", file=sys.stderr
        )
        return 1
    print(json.dumps(response.json(), indent=2))
    return 0 if response.ok else 1


def _parameter(text: str) -> str:
    if "=" not in text or not text.split("=", 1)[0]:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soko_local", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev", help="run everything the template declares on 127.0.0.1")
    schedule = sub.add_parser("run-schedule", help="fire a schedule now in the running runtime")
    schedule.add_argument("name", help="the schedule's logical id")
    endpoints = sub.add_parser("endpoints", help="show the running runtime's endpoints")
    for command in (dev, schedule, endpoints):
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=int, default=3000)
    dev.add_argument("--template", default=str(ROOT / "template.yaml"))
    dev.add_argument("--no-watch", action="store_true", help="do not reload code on change")
    dev.add_argument("--no-schedules", action="store_true", help="fire schedules only on demand")
    dev.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        type=_parameter,
        help="a template parameter, as sam deploy --parameter-overrides (repeatable)",
    )
    dev.add_argument(
        "--empty",
        action="store_true",
        help="start without the WFP prices and the demo world (make dev EMPTY=1)",
    )
    dev.add_argument(
        "--no-train", action="store_true", help="do not train forecasts in the background (NO_TRAIN=1)"
    )
    dev.add_argument(
        "--ready-file",
        help="write the endpoints JSON here once serving with its start-up data (used by tests)",
    )
    args = parser.parse_args(argv)
    if args.command == "dev":
        return _dev(args)
    if args.command == "run-schedule":
        return _remote(args, "POST", f"/_local/schedules/{args.name}/run")
    return _remote(args, "GET", "/_local/endpoints")


if __name__ == "__main__":
    sys.exit(main())
