#!/usr/bin/env bash
# The "Run prisma-lint" step of action.yml: annotations on the pull request, a Markdown table
# in the step summary, an optional SARIF file, and the exit code of `check`.
set -uo pipefail
bin="${PRISMA_LINT_BIN:-$RUNNER_TEMP/prisma-lint-venv/bin/prisma-lint}"
args=(check --fail-on "${INPUT_FAIL_ON:-warning}")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_STATS:-}" ] && args+=(--stats "$INPUT_STATS")
paths=()
[ -n "${INPUT_PATH:-}" ] && paths+=("$INPUT_PATH")

if [ -n "${INPUT_SARIF_FILE:-}" ]; then
  "$bin" "${args[@]}" --exit-zero --format sarif --output "$INPUT_SARIF_FILE" "${paths[@]}" || true
fi

report="$(mktemp)"
"$bin" "${args[@]}" --format json --exit-zero --output "$report" "${paths[@]}" 2>/dev/null
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$report" ]; then
  "${bin%/prisma-lint}/python" - "$report" >> "$GITHUB_STEP_SUMMARY" <<'PY' || true
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
findings, errors = doc["findings"], doc["errors"]
print("## prisma-lint\n")
if not findings and not errors:
    print("All checks passed.\n")
    raise SystemExit
def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")
print("| severity | rule | location | message |")
print("|---|---|---|---|")
for e in errors:
    where = f"{e.get('file') or ''}:{e.get('line', '')}"
    print(f"| error | {cell(e['code'])} | `{cell(where)}` | {cell(e['message'])} |")
for f in findings:
    print(f"| {f['severity']} | `{f['rule']}` | `{cell(f['file'])}:{f['line']}` | {cell(f['message'])} |")
s = doc["summary"]
print(f"\n{s['findings']} finding(s), {s['errors']} input error(s).")
PY
fi
rm -f "$report"
"$bin" "${args[@]}" --format github "${paths[@]}"
