"""soko.identity.public: what other domains read of an account (never its secrets)."""

from __future__ import annotations

from typing import Any

from soko.identity.models import IdentityConfig
from soko.identity.public import Users, hash_secret, verify_secret
from soko.shared.config import load


def test_accounts_are_read_by_id_phone_and_directory(api: Any, users: Any) -> None:
    farmer = users.register("farmer", phone="+256772444001", full_name="Akello Grace")
    reads = Users(load(IdentityConfig).users_table_name)

    view = reads.get(farmer.id)
    assert view is not None
    assert (view.id, view.role, view.phone, view.full_name, view.uses_app) == (
        farmer.id,
        "farmer",
        "+256772444001",
        "Akello Grace",
        True,
    )
    assert "password_hash" not in view.model_dump()
    assert reads.by_phone("+256772444001") == view
    assert reads.get("nobody") is None and reads.by_phone("+256700000000") is None

    entries, cursor = reads.directory_page("farmer", 50, None)
    assert farmer.id in [e.id for e in entries]
    assert reads.directory_page("buyer", 50, None)[0] == [] and cursor is None


def test_secrets_are_hashed_as_passwords_are() -> None:
    stored = hash_secret("4826")
    assert stored.startswith("$argon2id$") and verify_secret(stored, "4826")
    assert not verify_secret(stored, "4827")
