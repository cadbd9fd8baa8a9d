"""Lambda SnapStart: what runs before the snapshot and after each restore.

With SnapStart a function's Init (every module import) runs once per published version; Lambda
snapshots the memory and starts new execution environments from that snapshot. Whatever the
imports created is therefore shared by every environment restored from it. Soko keeps that state
harmless (docs/cold-starts.md lists it) and uses the runtime's hooks for the rest:

- before the snapshot, :func:`prime` imports what the code imports lazily on its first request
  (boto3: about 70 ms that no restored environment pays again; PyJWT, argon2, email-validator)
  without creating a session, a client or a connection, and without reading credentials;
- after each restore, the hooks registered with :func:`after_restore` run in registration order:
  ``random`` is reseeded (a generator seeded at import would hand every restored environment the
  same sequence), cached boto3 clients and sessions are dropped (their connections and resolved
  credentials belong to the environment that made them), and so are cached secrets.

The hooks come from ``snapshot_restore_py``, which exists only in Lambda's Python runtime; outside
it registration is a no-op and tests call :func:`run_after_restore` themselves.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

type Hook = Callable[[], None]

_after_restore: list[Hook] = []


def after_restore(hook: Hook) -> Hook:
    """Register ``hook`` to run after every SnapStart restore (usable as a decorator)."""
    if hook not in _after_restore:
        _after_restore.append(hook)
    return hook


def run_after_restore() -> None:
    """Run the after-restore hooks (what the runtime calls; tests call it to simulate a restore)."""
    for hook in list(_after_restore):
        hook()


def prime() -> None:
    """Before the snapshot: import what the first invocation would, without any I/O."""
    from soko.shared import aws  # noqa: PLC0415  (aws registers its own after-restore hook)

    aws.preload()
    import argon2  # noqa: F401, PLC0415  (password and PIN hashing)
    import email_validator  # noqa: F401, PLC0415  (identity's e-mail check, loaded on first use)
    import jwt  # noqa: F401, PLC0415  (PyJWT and cryptography: the authorizers' token check)


@after_restore
def _reseed_random() -> None:
    if "random" in sys.modules:  # only if something imported it before the snapshot
        sys.modules["random"].seed()  # from os.urandom, unique per environment


def _register_with_runtime() -> bool:
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]  # noqa: PLC0415
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:  # not in Lambda's Python runtime (tests, local runtime)
        return False
    register_before_snapshot(prime)
    register_after_restore(run_after_restore)
    return True


REGISTERED = _register_with_runtime()
