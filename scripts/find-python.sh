#!/usr/bin/env bash
# Prints the path of a Python 3.13 interpreter (the Lambda runtime's version), or explains how to get one.
set -euo pipefail
candidates=()
[ -n "${PYTHON313:-}" ] && candidates+=("$PYTHON313")
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for p in "$pyenv_root"/versions/3.13*/bin/python3.13; do [ -x "$p" ] && candidates+=("$p"); done
for p in python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13 python3; do
  command -v "$p" >/dev/null 2>&1 && candidates+=("$(command -v "$p")")
done
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else 1)' >/dev/null 2>&1; then
    echo "$c"; exit 0
  fi
done
cat >&2 <<'MSG'
error: Python 3.13 not found (Soko targets the Lambda runtime python3.13).
  Install it, e.g. `pyenv install 3.13`, or point PYTHON313=/path/to/python3.13 at one.
MSG
exit 1
