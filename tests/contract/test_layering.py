"""The layering contract of ``functions/app/soko``, checked on the source (AST, nothing imported).

Rules (each violation names the module, what it imports and the rule):

- ``layers``: inside a domain, api -> logic -> dal (data access: the ``dal`` module or package,
  and ``*_store`` modules, such as ML's S3 model store). An entry module (``api/``, ``consumers``,
  ``jobs/``, ``handler``, or any module defining a ``*_handler``) reaches data access only through
  its domain's ``deps`` (the wiring) and logic, never a ``dal`` directly; nothing but an entry
  module, ``deps`` or ``public`` imports ``deps``; only entry modules import an entry module (an
  ``api/_common``); a ``dal``
  imports no ``logic``, ``deps`` or ``public``.
- ``boto3``: ``boto3`` and ``botocore`` are imported only by data access (``dal``) and the shared
  adapters (:data:`AWS_ADAPTERS`); in a domain, only data access takes a client from
  ``soko.shared.aws`` (:data:`AWS_CLIENTS`).
- ``shared``: ``soko.shared`` and the other infrastructure packages (:data:`INFRASTRUCTURE`) never
  import a domain.
- ``cross-domain``: a domain imports another domain's ``events`` (its contracts) and ``public``
  (its read interface) only.

Anything else is in :data:`ALLOWED`, one entry per (importer, imported module) with its reason.
Entries marked ``TODO i13`` are known violations other parts of the refactor are removing; an
entry that no longer matches anything fails :func:`test_every_allowance_is_still_needed`, so the
list only shrinks. A new domain is checked without being listed anywhere.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "functions" / "app"
PACKAGE = "soko"
INFRASTRUCTURE = frozenset({"shared", "providers", "outbox"})
AWS_ADAPTERS = frozenset(
    {
        "soko.shared.aws",  # the clients and resources, created lazily and reused
        "soko.shared.dynamo",  # DynamoDB helpers: pages, transactions, error codes
    }
)  # a new shared adapter that needs boto3 itself is added here (the others take aws's clients)
AWS_PACKAGES = ("boto3", "botocore")
AWS_CLIENTS = "soko.shared.aws"  # boto3 clients and resources, for data access only
OPEN_MODULES = frozenset({"events", "public"})  # what one domain may import of another


@dataclass(frozen=True)
class Allowance:
    importer: str  # a module, or a package and everything in it
    imported: str  # a module, or a package and everything in it
    rule: str
    reason: str

    def covers(self, violation: Violation) -> bool:
        return (
            violation.rule == self.rule
            and _within(violation.module, self.importer)
            and _within(violation.imported, self.imported)
        )


ALLOWED: tuple[Allowance, ...] = (
    # USSD is a channel like the HTTP API: it runs identity's and the marketplace's use cases
    # (registration, language; orders and listings) through their logic, and its wiring builds
    # them with their data access, without what a phone menu never uses (tokens, SMS, images).
    Allowance("soko.ussd.logic", "soko.identity.logic", "cross-domain", "USSD runs identity's use cases"),
    Allowance("soko.ussd.logic", "soko.identity.models", "cross-domain", "their requests (ProfileUpdate)"),
    Allowance("soko.ussd.logic", "soko.market.logic", "cross-domain", "USSD runs the market's use cases"),
    Allowance("soko.ussd.logic", "soko.market.models", "cross-domain", "their requests (ListingCreate, ...)"),
    Allowance("soko.ussd.deps", "soko.identity", "cross-domain", "the channel wires identity's use cases"),
    Allowance("soko.ussd.deps", "soko.market", "cross-domain", "the channel wires the market's use cases"),
    Allowance("soko.ussd.logic", "soko.alerts.logic", "cross-domain", "USSD runs price alerts' use cases"),
    Allowance("soko.ussd.logic", "soko.alerts.dal", "cross-domain", "their typed errors (TooManyAlerts)"),
    Allowance("soko.ussd.logic", "soko.alerts.models", "cross-domain", "their requests (AlertCreate)"),
    Allowance("soko.ussd.deps", "soko.alerts", "cross-domain", "the channel wires price alerts' use cases"),
    # issue 17: a transporter with a basic phone answers and moves their jobs on USSD, running
    # logistics' booking steps as the HTTP routes do (their reads go through soko.logistics.public)
    Allowance("soko.ussd.transport", "soko.logistics.steps", "cross-domain", "USSD runs the booking steps"),
    Allowance("soko.ussd.logic", "soko.logistics.steps", "cross-domain", "the steps' deps type (StepDeps)"),
    Allowance("soko.ussd.deps", "soko.logistics", "cross-domain", "the channel wires the booking steps"),
    # ... and "3 Add vehicle" runs logistics' vehicle registration (POST /transport/vehicles's use case),
    # its screens checking a plate and the numbers with logistics' own rule and bounds (pure)
    Allowance("soko.ussd.transport", "soko.logistics.vehicles", "cross-domain", "USSD registers vehicles"),
    Allowance(
        "soko.ussd.transport", "soko.logistics.core_models", "cross-domain", "its request (VehicleCreate)"
    ),
    Allowance(
        "soko.ussd.logic", "soko.logistics.vehicles", "cross-domain", "its store's type (VehicleStore)"
    ),
    Allowance("soko.ussd.menu", "soko.logistics.core_models", "cross-domain", "the plate rule and bounds"),
    # "9 My coop" (issue 18): a cooperative's member commits, sees and confirms their allocations
    # through the coops domain's own use cases (as POST /coops/{id}/commitments etc. do)
    Allowance("soko.ussd.coops", "soko.coops.logic", "cross-domain", "USSD runs the coops use cases"),
    Allowance("soko.ussd.coops", "soko.coops.models", "cross-domain", "their request (CommitmentCreate)"),
    Allowance("soko.ussd.logic", "soko.coops.logic", "cross-domain", "the use cases' deps type (Coops)"),
    Allowance("soko.ussd.deps", "soko.coops", "cross-domain", "the channel wires the coops use cases"),
    # Issue 19's shared rule of a price's age (pure); drop when soko.ml.public re-exports it.
    # Logistics' handover: the transporter enters the buyer's delivery PIN, and the market's own PIN
    # rule decides (the PIN's hash, tries and lock are the order's). Like USSD, logistics runs that one
    # use case through the market's logic, and its wiring builds it with the market's data access.
    Allowance(
        "soko.logistics.handover", "soko.market.logic", "cross-domain", "it runs the market's PIN rule"
    ),
    Allowance(
        "soko.logistics.deps", "soko.market.deps", "cross-domain", "the handover's wiring of the market"
    ),
)


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    rule: str
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported} ({self.rule})"


def _within(name: str, scope: str) -> bool:
    return name == scope or name.startswith(scope + ".")


@dataclass(frozen=True)
class Module:
    name: str
    tree: ast.Module

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")

    @property
    def package(self) -> str | None:
        """The domain or infrastructure package (``matching``, ``shared``), None for the root."""
        return self.parts[1] if len(self.parts) > 1 else None

    @property
    def rest(self) -> list[str]:
        return self.parts[2:]

    @property
    def layer(self) -> str:
        rest = self.rest
        if not rest:
            return "package"
        if rest[0] == "dal" or rest[0].startswith("dal_") or rest[0].endswith("_store"):
            return "dal"
        if rest[0] in ("deps", "public", "events"):
            return rest[0]
        if rest[0] in ("api", "consumers", "jobs", "handler") or self.defines_handler:
            return "entry"
        return "logic"

    @property
    def defines_handler(self) -> bool:
        for node in self.tree.body:
            names: list[str] = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(n == "lambda_handler" or n.endswith("_handler") for n in names):
                return True
        return False


def load(root: Path, package: str = PACKAGE) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = Module(".".join(parts), ast.parse(path.read_text(), str(path)))
    return modules


def imports(module: Module, known: dict[str, Module]) -> list[tuple[str, int]]:
    """Every module ``module`` imports (at any depth: lazy and type-only imports count too), as
    ``(module, line)``; ``from a import b`` is ``a.b`` when that is a module, else ``a``."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.parts if _is_package(module, known) else module.parts[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((candidate if candidate in known else base, node.lineno))
    return found


def _is_package(module: Module, known: dict[str, Module]) -> bool:
    return any(other.startswith(module.name + ".") for other in known)


def _layer_rule(module: Module, target: Module) -> bool:
    """True when ``module`` importing ``target`` (same domain) breaks api -> logic -> dal."""
    source, to = module.layer, target.layer
    if to == "entry" and source != "entry":
        return True
    if to == "deps" and source not in ("entry", "deps", "public"):
        return True
    if source == "entry" and to == "dal":
        return True
    return source == "dal" and (to in ("deps", "public") or target.rest[:1] == ["logic"])


def check(root: Path, package: str = PACKAGE, allowed: tuple[Allowance, ...] = ALLOWED) -> list[Violation]:
    """Every violation under ``root/package`` that ``allowed`` does not cover."""
    return [v for v in violations(root, package) if not any(a.covers(v) for a in allowed)]


def violations(root: Path, package: str = PACKAGE) -> list[Violation]:
    """Every violation under ``root/package``, before the allow-list."""
    known = load(root, package)
    found = [
        Violation(module.name, imported, rule, line)
        for module in known.values()
        for imported, line in imports(module, known)
        if (rule := broken_rule(module, imported, known, package)) is not None
    ]
    return sorted(found, key=lambda v: (v.module, v.line, v.imported))


def broken_rule(module: Module, imported: str, known: dict[str, Module], package: str) -> str | None:
    """The rule ``module`` breaks by importing ``imported``, or None."""
    top = imported.split(".", maxsplit=1)[0]
    if top in AWS_PACKAGES:
        return "boto3" if module.layer != "dal" and module.name not in AWS_ADAPTERS else None
    if top != package or module.package is None:
        return None
    in_domain = module.package not in INFRASTRUCTURE
    if _within(imported, AWS_CLIENTS) and in_domain and module.layer != "dal":
        return "boto3"
    target = known.get(imported)
    other = imported.split(".")[1] if "." in imported else None
    if other is None or target is None:
        return None
    if not in_domain:
        return "shared" if other not in INFRASTRUCTURE else None
    if other == module.package:
        return "layers" if _layer_rule(module, target) else None
    if other in INFRASTRUCTURE:
        return None
    return "cross-domain" if not target.rest or target.rest[0] not in OPEN_MODULES else None


# ---------------------------------------------------------------------------- the contract
def test_the_code_keeps_the_layering_contract() -> None:
    broken = check(ROOT)
    assert not broken, "layering contract broken:\n" + "\n".join(f"  {v}" for v in broken)


def test_every_allowance_is_still_needed() -> None:
    """The allow-list only shrinks: an entry nothing needs any more is removed."""
    found = violations(ROOT)
    unused = [a for a in ALLOWED if not any(a.covers(v) for v in found)]
    assert not unused, "allow-list entries that match nothing (remove them):\n" + "\n".join(
        f"  {a.importer} -> {a.imported} ({a.rule})" for a in unused
    )


def test_every_allowance_says_why() -> None:
    assert all(a.reason.strip() and a.rule in {"layers", "boto3", "shared", "cross-domain"} for a in ALLOWED)


# ---------------------------------------------------------------------------- the checker itself
def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CLEAN = {
    "soko/__init__.py": "",
    "soko/shared/__init__.py": "",
    "soko/shared/aws.py": "import boto3\n",
    "soko/shared/errors.py": "",
    "soko/alpha/__init__.py": "",
    "soko/alpha/events.py": "from soko.shared import errors\n",
    "soko/alpha/public.py": "from soko.alpha.dal import AlphaDal\n",
    "soko/alpha/models.py": "",
    "soko/alpha/dal.py": "from botocore.exceptions import ClientError\nfrom soko.alpha.models import Thing\n",
    "soko/alpha/model_store.py": "from soko.shared import aws\n",  # data access too
    "soko/alpha/logic.py": "from soko.alpha.dal import AlphaDal\nfrom soko.beta.public import Reads\n",
    "soko/alpha/deps.py": "from soko.alpha.dal import AlphaDal\nfrom soko.alpha.logic import Alpha\n",
    "soko/alpha/api/__init__.py": "",
    "soko/alpha/api/get.py": "from soko.alpha import logic\nfrom soko.alpha.deps import alpha\n",
    "soko/beta/__init__.py": "",
    "soko/beta/public.py": "",
    "soko/beta/events.py": "",
    "soko/beta/logic.py": "from soko.alpha.events import Happened\n",
    "soko/beta/dal.py": "",
    "soko/beta/worker.py": "from soko.beta import logic\n\ndef lambda_handler(event, context):\n    pass\n",
}


def test_a_clean_tree_has_no_violations(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # layers: api -> logic -> dal
        ("soko/alpha/api/put.py", "from soko.alpha.dal import AlphaDal\n", ("soko.alpha.dal", "layers")),
        ("soko/alpha/rules.py", "from soko.alpha.api import get\n", ("soko.alpha.api.get", "layers")),
        ("soko/alpha/scoring.py", "from soko.alpha.deps import alpha\n", ("soko.alpha.deps", "layers")),
        (
            "soko/beta/rules.py",
            "from soko.beta.worker import lambda_handler\n",
            ("soko.beta.worker", "layers"),
        ),
        # a dal module reaching up
        ("soko/alpha/dal.py", "from soko.alpha import logic\n", ("soko.alpha.logic", "layers")),
        ("soko/alpha/dal.py", "from soko.alpha.public import Reads\n", ("soko.alpha.public", "layers")),
        # boto3 outside data access and the shared adapters
        ("soko/alpha/scoring.py", "import boto3\n", ("boto3", "boto3")),
        (
            "soko/shared/clock.py",
            "from botocore.exceptions import ClientError\n",
            ("botocore.exceptions", "boto3"),
        ),
        ("soko/alpha/api/put.py", "def f():\n    import boto3.session\n", ("boto3.session", "boto3")),
        ("soko/alpha/logic.py", "from soko.shared import aws\n", ("soko.shared.aws", "boto3")),
        # shared importing a domain (also lazily)
        (
            "soko/shared/http.py",
            "def f():\n    from soko.alpha import logic\n",
            ("soko.alpha.logic", "shared"),
        ),
        # cross-domain beyond events and public
        ("soko/beta/rules.py", "from soko.alpha.dal import AlphaDal\n", ("soko.alpha.dal", "cross-domain")),
        ("soko/beta/rules.py", "from soko.alpha import logic\n", ("soko.alpha.logic", "cross-domain")),
        ("soko/beta/rules.py", "import soko.alpha.models\n", ("soko.alpha.models", "cross-domain")),
        ("soko/beta/rules.py", "from soko.alpha import models as m\n", ("soko.alpha.models", "cross-domain")),
        ("soko/beta/rules.py", "import soko.alpha\n", ("soko.alpha", "cross-domain")),
    ],
)
def test_each_rule_names_the_module_what_it_imports_and_the_rule(
    tmp_path: Path, name: str, text: str, expected: tuple[str, str]
) -> None:
    root = _tree(tmp_path, {**CLEAN, name: text})
    module = ".".join(Path(name).with_suffix("").parts).removesuffix(".__init__")
    found = violations(root)
    assert [(v.module, v.imported, v.rule) for v in found] == [(module, *expected)]
    assert f"{module}:" in str(found[0]) and expected[0] in str(found[0]) and expected[1] in str(found[0])


def test_a_relative_import_is_resolved(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**CLEAN, "soko/beta/rules.py": "from ..alpha.dal import AlphaDal\n"})
    assert [(v.imported, v.rule) for v in violations(root)] == [("soko.alpha.dal", "cross-domain")]


def test_the_allow_list_covers_exactly_its_entry(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            **CLEAN,
            "soko/beta/rules.py": "from soko.alpha.dal import AlphaDal\nfrom soko.alpha import logic\n",
        },
    )
    allowed = (Allowance("soko.beta.rules", "soko.alpha.dal", "cross-domain", "a reason"),)
    assert [(v.imported, v.rule) for v in check(root, allowed=allowed)] == [
        ("soko.alpha.logic", "cross-domain")
    ]
    assert len(check(root, allowed=())) == 2
