#!/usr/bin/env bash
# The "Install prisma-lint" steps of action.yml.
#   action-install.sh key      -> GITHUB_OUTPUT: venv, key (the cache key: runner OS and arch,
#                                 Python version, and a digest of the action's own files)
#   action-install.sh install  -> a venv with prisma-lint and the pinned dependencies, unless the
#                                 one restored from the cache runs; GITHUB_OUTPUT: bin
# Linux and macOS runners have python3 and venv/bin/; Windows runners have python and
# venv\Scripts\ (bash there is Git Bash).
set -euo pipefail
action="${GITHUB_ACTION_PATH:?}"
venv="${RUNNER_TEMP:?}/prisma-lint-venv"
if [ "${RUNNER_OS:-}" = "Windows" ]; then
  python=python bin="$venv/Scripts/prisma-lint.exe" venv_python="$venv/Scripts/python.exe"
else
  python=python3 bin="$venv/bin/prisma-lint" venv_python="$venv/bin/python"
fi
command -v "$python" >/dev/null || python=python

case "${1:-}" in
  key)
    digest="$("$python" - "$action" <<'PY'
import hashlib, pathlib, platform, sys
root = pathlib.Path(sys.argv[1])
h = hashlib.sha256(platform.python_version().encode())
for part in ("pyproject.toml", "scripts/action-constraints.txt", "prisma_lint", "grammars", "rules"):
    p = root / part
    for f in sorted([p] if p.is_file() else p.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
print(f"{platform.python_version()}-{h.hexdigest()[:16]}")
PY
)"
    {
      echo "venv=$venv"
      echo "key=prisma-lint-${RUNNER_OS:-local}-${RUNNER_ARCH:-x64}-$digest"
    } >> "${GITHUB_OUTPUT:-/dev/null}"
    ;;
  install)
    if "$bin" --version >/dev/null 2>&1; then
      echo "prisma-lint: using the cached install ($("$bin" --version))"
    else
      rm -rf "$venv"
      "$python" -m venv "$venv"
      "$venv_python" -m pip install --quiet --disable-pip-version-check \
        -c "$action/scripts/action-constraints.txt" "$action"
    fi
    echo "bin=$bin" >> "${GITHUB_OUTPUT:-/dev/null}"
    ;;
  *)
    echo "usage: action-install.sh key|install" >&2
    exit 2
    ;;
esac
