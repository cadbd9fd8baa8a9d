"""``make ussd PHONE=+2567...``: a handset in the terminal that drives the local USSD Function URL
exactly as Africa's Talking's gateway does: a form POST per key press with ``sessionId``,
``serviceCode``, ``phoneNumber``, ``networkCode`` (99999, the sandbox) and ``text`` (every input
of the session joined by ``*``), to the URL (with its token) that ``/_local/endpoints`` lists.

Type a reply and press Enter; an empty line sends an empty reply; ``q`` hangs up. After an END
screen, Enter dials again (a new session).
"""

from __future__ import annotations

import argparse
import sys
import uuid

import requests

from soko.shared import phone as phones

SERVICE_CODE = "*384*1234#"


def _url(port: int) -> str:
    endpoints = requests.get(f"http://127.0.0.1:{port}/_local/endpoints", timeout=10).json()
    url = endpoints.get("function_urls", {}).get("UssdFunction")
    if not url:
        raise SystemExit("the running runtime has no UssdFunction URL (restart `make dev`?)")
    return str(url)


def _show(text: str) -> None:
    width = 32
    print("+" + "-" * width + "+")
    for line in text[4:].split("\n"):
        for start in range(0, max(len(line), 1), width - 2):
            print("| " + line[start : start + width - 2].ljust(width - 2) + " |")
    print("+" + "-" * width + "+")


def session(url: str, phone: str, http: requests.Session) -> bool:
    """One call; False when the user hangs up."""
    session_id = f"ATUid_sim_{uuid.uuid4().hex[:16]}"
    inputs: list[str] = []
    print(f"dialling {SERVICE_CODE} from {phone} ...")
    while True:
        form = {
            "sessionId": session_id,
            "serviceCode": SERVICE_CODE,
            "phoneNumber": phone,
            "networkCode": "99999",
            "text": "*".join(inputs),
        }
        reply = http.post(url, data=form, timeout=20)
        if reply.status_code != 200 or not reply.text.startswith(("CON ", "END ")):
            print(f"the gateway would drop the call: HTTP {reply.status_code} {reply.text[:200]!r}")
            return True
        _show(reply.text)
        if reply.text.startswith("END "):
            return input("[Enter] dial again, q to quit > ").strip().lower() != "q"
        answer = input("> ")
        if answer.strip().lower() == "q":
            return False
        inputs.append(answer.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--phone", required=True, help="the caller's number, e.g. +256772123456")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args()
    try:
        phone = phones.normalize(args.phone)
    except ValueError as err:
        raise SystemExit(str(err)) from None
    try:
        url = _url(args.port)
    except requests.ConnectionError:
        raise SystemExit(f"no local runtime on port {args.port}: start it with `make dev`") from None
    with requests.Session() as http:
        try:
            while session(url, phone, http):
                pass
        except (EOFError, KeyboardInterrupt):
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
