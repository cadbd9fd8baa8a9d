"""HTTP API route matching, with API Gateway's priorities: an exact path beats one with
parameters, a parameter beats a greedy ``{proxy+}``, a method beats ``ANY``, and ``$default``
catches what nothing else matches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_PARAM = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or ANY
    path: str  # /listings/{id}; "$default" for the catch-all route
    function: str  # logical id of the integration's function
    authorizer: str | None  # name of the security scheme, None for a public route
    segments: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(s for s in self.path.split("/")[1:]))

    @property
    def key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    def _rank(self) -> tuple[int, int, int, int]:
        greedy = any(s.endswith("+}") for s in self.segments)
        params = sum(1 for s in self.segments if _PARAM.match(s))
        return (1 if greedy else 0, params, -len(self.segments), 1 if self.method == "ANY" else 0)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.path == "$default" or self.method not in (method, "ANY"):
            return None
        parts = path.split("/")[1:]
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            param = _PARAM.match(segment)
            if param and param.group(2):  # greedy: the rest of the path, at least one segment
                rest = "/".join(parts[index:])
                if not rest:
                    return None
                params[param.group(1)] = unquote(rest)
                return params
            value = parts[index] if index < len(parts) else None
            if not _segment_matches(segment, param is not None, value):
                return None
            if param and value:
                params[param.group(1)] = unquote(value)
        return params if len(parts) == len(self.segments) else None


def _segment_matches(segment: str, is_param: bool, value: str | None) -> bool:
    if value is None:
        return False
    return bool(value) if is_param else segment == value


class RouteTable:
    def __init__(self, routes: list[Route]):
        ordered = [r for r in routes if r.path != "$default"]
        ordered.sort(key=Route._rank)
        self.routes = ordered
        self.default = next((r for r in routes if r.path == "$default"), None)

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        if self.default is not None:
            return self.default, {}
        return None
