"""``python -m soko_local``: run the local runtime, fire a schedule, or show the endpoints."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def _dev(args: argparse.Namespace) -> int:
    from soko_local.bootstrap import create_admin  # noqa: PLC0415
    from soko_local.runtime import LocalRuntime, RuntimeOptions  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    options = RuntimeOptions(
        template=Path(args.template),
        host=args.host,
        port=args.port,
        watch=not args.no_watch,
        run_schedules=not args.no_schedules,
        parameters={"Stage": "local", **dict(p.split("=", 1) for p in args.parameter)},
    )
    runtime = LocalRuntime(options)
    try:
        runtime.start()
    except OSError as err:
        print(
            f"error: cannot serve on {args.host}:{args.port}: {err}. Try PORT=<another port>.",
            file=sys.stderr,
        )
        return 1
    create_admin(runtime)
    endpoints = runtime.endpoints()
    print(f"\n  Soko local runtime\n  HTTP API   {endpoints['http_api']}\n  API docs   {endpoints['docs']}")
    print(
        f"  endpoints  {endpoints['http_api']}/_local/endpoints\n  AWS (moto) {endpoints['aws_endpoint']}\n"
    )
    if args.ready_file:
        Path(args.ready_file).write_text(json.dumps(endpoints))
    runtime.wait()
    runtime.stop()
    return 0


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
    dev.add_argument("--ready-file", help="write the endpoints JSON here once serving (used by tests)")
    args = parser.parse_args(argv)
    if args.command == "dev":
        return _dev(args)
    if args.command == "run-schedule":
        return _remote(args, "POST", f"/_local/schedules/{args.name}/run")
    return _remote(args, "GET", "/_local/endpoints")


if __name__ == "__main__":
    sys.exit(main())
