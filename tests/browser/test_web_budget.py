"""The first-load budget: on 3G, the first load of any page is at most 150 KB of gzip-compressed
JS+CSS+HTML, measured on the built files (web/dist and its .vite/manifest.json): index.html, the
entry chunk with its static imports and CSS, and, for each page (a dynamic entry: one chunk per
page), the page's chunk with its own static imports and CSS. The figures per page are printed
(pytest -s) and written to tests/artifacts/web-budget.json.

Also: nothing third-party on the way (index.html names no other origin, a real load of the market
and the prices asks only the runtime's own origin), and images are lazy with their size given."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Set
from functools import cache
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

from support.browser import ARTIFACTS
from support.runtime import RunningRuntime
from support.web_quality import DIST, app_routes, not_found, settle

BUDGET_BYTES = 150 * 1024
PAGES_TO_LOAD = ["/#/", "/#/prices"]


def _manifest() -> dict[str, Any]:
    path = DIST / ".vite" / "manifest.json"
    if not path.is_file():
        pytest.fail("web/dist is not built with its manifest: `cd web && npm run build`")
    manifest: dict[str, Any] = json.loads(path.read_text())
    return manifest


@cache
def _gzip_size(name: str) -> int:
    return len(gzip.compress((DIST / name).read_bytes(), compresslevel=9))


def _closure(manifest: dict[str, Any], key: str, pages: Set[str] = frozenset()) -> set[str]:
    """The built files a chunk needs before it runs: itself, its static imports (transitively) and
    their CSS. A page's dynamic imports of code that is not another page (a chart library loaded
    when the page opens) count too: they are part of that page's first load."""
    files: set[str] = set()
    todo, seen = [key], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        chunk = manifest[current]
        files.add(chunk["file"])
        files.update(chunk.get("css", []))
        todo.extend(chunk.get("imports", []))
        if pages:
            todo.extend(d for d in chunk.get("dynamicImports", []) if d not in pages)
    return files


def first_loads() -> list[dict[str, Any]]:
    """Per page: the files of its first load and their gzip sizes. The shell's own first load
    (index.html and the entry) is the first row; it is what "Page not found" costs."""
    manifest = _manifest()
    entry = next(k for k, v in manifest.items() if v.get("isEntry"))
    shell = {"index.html"} | _closure(manifest, entry)
    routes_by_module: dict[str, list[str]] = {}
    for route in app_routes():
        routes_by_module.setdefault(route.module, []).append(route.path)
    pages = {
        k
        for k, v in manifest.items()
        if v.get("isDynamicEntry") and (k in routes_by_module or k.startswith("src/pages/"))
    }
    rows: list[dict[str, Any]] = [{"page": "(shell)", "routes": [], "files": sorted(shell)}]
    for key in sorted(pages):
        files = shell | _closure(manifest, key, pages)
        rows.append({"page": key, "routes": routes_by_module.get(key, []), "files": sorted(files)})
    for row in rows:
        sizes = {name: _gzip_size(name) for name in row["files"]}
        row["sizes"] = sizes
        row["gzip_bytes"] = sum(sizes.values())
        row["by_kind"] = {
            kind: sum(s for n, s in sizes.items() if n.endswith(ext))
            for kind, ext in (("html", ".html"), ("js", ".js"), ("css", ".css"))
        }
    return rows


def test_the_first_load_of_every_page_is_within_150_kb_gzipped() -> None:
    rows = first_loads()
    lines = [f"{'page':52} {'routes':28} {'html':>6} {'js':>8} {'css':>7} {'total':>8}"]
    for row in rows:
        kinds = row["by_kind"]
        lines.append(
            f"{row['page'][:52]:52} {','.join(row['routes'])[:28]:28} {kinds['html']:6} {kinds['js']:8} "
            f"{kinds['css']:7} {row['gzip_bytes']:8}"
        )
    print("\nFirst load per page (bytes, gzip -9):\n" + "\n".join(lines))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "web-budget.json").write_text(
        json.dumps({"budget_bytes": BUDGET_BYTES, "pages": rows}, indent=2) + "\n"
    )
    # every declared page has its own chunk (lazily loaded), so the table covers it
    declared = {route.module for route in app_routes()}
    chunked = {row["page"] for row in rows}
    assert declared <= chunked, f"pages without a chunk of their own: {sorted(declared - chunked)}"
    over = [f"{r['page']}: {r['gzip_bytes']} bytes" for r in rows if r["gzip_bytes"] > BUDGET_BYTES]
    assert not over, f"over the {BUDGET_BYTES}-byte first-load budget:\n" + "\n".join(over)


def test_the_route_list_is_read_from_the_app() -> None:
    """The budget and the other checks see every page the areas declare: each declared module
    exists, and every page chunk in the build is a declared route's."""
    routes = app_routes()
    for route in routes:
        assert route.path.startswith("/"), route
        assert (DIST.parent / route.module).is_file(), f"{route.path}: no module {route.module}"
    manifest = _manifest()
    pages = {k for k, v in manifest.items() if v.get("isDynamicEntry") and k.startswith("src/pages/")}
    assert pages <= {r.module for r in routes}, (
        f"page chunks with no route: {pages - {r.module for r in routes}}"
    )


def test_index_html_names_no_third_party_origin() -> None:
    html = (DIST / "index.html").read_text()
    urls = re.findall(r"""(?:src|href|content|action)\s*=\s*["']([^"']+)["']""", html)
    foreign = [u for u in urls if re.match(r"^(?:[a-z]+:)?//", u, re.I)]
    assert not foreign, f"index.html loads from other origins: {foreign}"
    assert "<script>" not in html and "style=" not in html, "inline script or style in index.html"


@pytest.mark.parametrize("address", PAGES_TO_LOAD)
def test_a_real_load_asks_only_the_runtimes_own_origin(
    page: Page, web_runtime: RunningRuntime, address: str
) -> None:
    own = urlparse(web_runtime.url)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(address)
    settle(page)
    assert asked, "the load made no request at all"
    foreign = [
        u
        for u in asked
        if not u.startswith(("data:", "blob:"))
        and (urlparse(u).scheme, urlparse(u).netloc) != (own.scheme, own.netloc)
    ]
    assert not foreign, f"requests to other origins while loading {address}: {foreign}"
    # nothing render-blocking beyond the app's own module script and stylesheet
    blocking = page.evaluate(
        """() => [...document.querySelectorAll(
              'head script:not([type=module]):not([async]):not([defer]), head link[rel=stylesheet]')]
            .map(e => e.src || e.href).filter(u => !u.startsWith(location.origin))"""
    )
    assert blocking == []


def test_market_images_are_lazy_and_sized(page: Page) -> None:
    page.goto("/#/")
    settle(page)
    if not_found(page):
        pytest.fail("the market page (#/) answers the shell's Page not found")
    images = page.evaluate(
        """() => [...document.querySelectorAll('main img')].map(i => ({
            src: i.getAttribute('src'), loading: i.getAttribute('loading'),
            width: i.getAttribute('width'), height: i.getAttribute('height')}))"""
    )
    bad = [i for i in images if i["loading"] != "lazy" or not i["width"] or not i["height"]]
    assert not bad, f"images without loading=lazy and width/height: {bad}"
    # the demo world has listings: the market shows them (with or without photos)
    assert page.locator("main").get_by_role("link").count() > 0 or images, "the market shows no listing"
