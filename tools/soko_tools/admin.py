"""Create the admin account: ``python -m soko_tools.admin --stack soko-dev`` (``make create-admin``).

The email and password come from ``SOKO_ADMIN_EMAIL`` and ``SOKO_ADMIN_PASSWORD`` (never from the
command line, where other users of the machine could read them). Idempotent: an existing account
with that email is left as it is.
"""

from __future__ import annotations

import argparse
import os
import sys

from soko.identity import logic
from soko.identity.dal import UsersDal
from soko.identity.models import IdentityConfig
from soko_tools.stacks import output


def ensure_admin(table: str, email: str, password: str) -> str:
    deps = logic.Identity(
        config=IdentityConfig(users_table_name=table), dal=UsersDal(table), signing_secret=str
    )
    return logic.create_admin(email, password, deps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="a deployed stack's name (its UsersTableName output is used)")
    where.add_argument("--table", help="the users table's name")
    args = parser.parse_args(argv)
    email, password = os.environ.get("SOKO_ADMIN_EMAIL"), os.environ.get("SOKO_ADMIN_PASSWORD")
    if not email or not password:
        sys.stderr.write("set SOKO_ADMIN_EMAIL and SOKO_ADMIN_PASSWORD\n")
        return 2
    user_id = ensure_admin(args.table or output(args.stack, "UsersTableName"), email, password)
    sys.stdout.write(f"admin {email}: {user_id}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
