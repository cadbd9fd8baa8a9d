"""What ``make dev`` sets up after provisioning: the admin account (dev defaults in the README)."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

log = logging.getLogger("soko_local.bootstrap")
DEV_ADMIN_EMAIL = "admin@soko.ug"
DEV_ADMIN_PASSWORD = "Matooke-Market-Dev-2026"  # noqa: S105  (the documented local-only default)


def create_admin(runtime: LocalRuntime) -> None:
    table = runtime.deployment.outputs.get("UsersTableName")
    if not table:
        return
    from soko.shared import aws  # noqa: PLC0415
    from soko_tools.admin import ensure_admin  # noqa: PLC0415

    os.environ["AWS_ENDPOINT_URL"] = runtime.aws_endpoint  # this process's soko clients: the embedded AWS
    aws.reset()
    email = os.environ.get("SOKO_ADMIN_EMAIL", DEV_ADMIN_EMAIL)
    ensure_admin(table, email, os.environ.get("SOKO_ADMIN_PASSWORD", DEV_ADMIN_PASSWORD))
    log.info("admin account: %s (password from SOKO_ADMIN_PASSWORD or the README's dev default)", email)
