"""The repository stands alone: its documents and code point only at files a clone has.

Markdown links in README.md, CONTRIBUTING.md and every Markdown file under docs/ and functions/
resolve to files inside the repository (and a `#fragment` to a heading of the file it names);
no file there refers to the shared folder outside the repository (`../shared/...`), and a
document path named in code or data (`docs/providers.md#pesapal-30`, `PROVIDERS.md`) exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("README.md", "CONTRIBUTING.md")
TREES = ("docs", "functions")
TEXT_SUFFIXES = {".md", ".py", ".json", ".yaml", ".yml", ".txt", ".toml", ".cfg", ".ini", ".html", ".csv"}

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
_OUTSIDE = re.compile(r"(?:\.\./|/work/)shared\b")
# a document named in any text: a path (docs/x.md#y, from the top or from the file), or a bare NAME.md
_DOC_PATH = re.compile(r"(?<![\w/.-])((?:\.\.?/)*[\w-][\w.-]*(?:/[\w.-]+)*/[\w.-]+\.md)(?:#([\w-]+))?")
_BARE_DOC = re.compile(r"(?<![\w/.-])([A-Z][A-Z0-9_]*\.md)\b")


def _files() -> Iterator[Path]:
    for name in TOP_LEVEL:
        yield ROOT / name
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and "__pycache__" not in path.parts:
                yield path


FILES = list(_files())
MARKDOWN = [path for path in FILES if path.suffix == ".md"]


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _prose(text: str) -> str:
    """Markdown without fenced blocks and code spans (a link written as code is an example)."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading.strip()).lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def _anchors(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for line in _FENCE.sub("", path.read_text()).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = _slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(anchors)


def _problem(source: Path, target: str, base: Path) -> str | None:
    """Why ``target`` (a link or a path named in ``source``) does not resolve, or None."""
    path_part, _, fragment = target.partition("#")
    resolved = (base / path_part).resolve() if path_part else source
    if not resolved.is_relative_to(ROOT):
        return f"{target} points outside the repository"
    if not resolved.exists():
        return f"{target} does not exist"
    if fragment and resolved.suffix == ".md" and fragment.lower() not in _anchors(resolved):
        return f"{target}: {resolved.name} has no heading #{fragment}"
    return None


def _is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE))  # http:, https:, mailto:


@pytest.mark.parametrize("path", MARKDOWN, ids=_id)
def test_markdown_links_resolve_inside_the_repository(path: Path) -> None:
    prose = _prose(path.read_text())
    targets = _INLINE_LINK.findall(prose) + _REFERENCE.findall(prose)
    problems = [
        problem
        for target in targets
        if not _is_external(target) and (problem := _problem(path, target, path.parent)) is not None
    ]
    assert problems == []


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_no_reference_to_the_shared_folder_or_a_missing_document(path: Path) -> None:
    text = path.read_text(errors="replace")
    problems = [f"line {text.count(chr(10), 0, m.start()) + 1}: {m[0]}" for m in _OUTSIDE.finditer(text)]
    for match in _DOC_PATH.finditer(text):
        target = match.group(1) + (f"#{match.group(2)}" if match.group(2) else "")
        found = [_problem(path, target, base) for base in (ROOT, path.parent)]
        if None not in found:
            problems.append(found[0] or target)
    for match in _BARE_DOC.finditer(text):
        name = match.group(1)
        if not any((folder / name).exists() for folder in (ROOT, path.parent, ROOT / "docs")):
            problems.append(f"{name} is named but is neither at the top, next to {path.name} nor in docs/")
    assert problems == []


def test_the_checks_see_the_documents() -> None:
    names = {_id(path) for path in MARKDOWN}
    assert {"README.md", "CONTRIBUTING.md", "docs/conventions.md", "docs/providers.md"} <= names
    assert _anchors(ROOT / "docs" / "providers.md") >= {"africas-talking-sms", "pesapal-30"}
    assert _problem(ROOT / "README.md", "../shared/CONVENTIONS.md", ROOT) is not None
    assert _OUTSIDE.search("see [x](../shared/PROVIDERS.md)") is not None
