#!/usr/bin/env bash
# The "Run prisma-lint" step of action.yml: one run of `check` writes the annotations (stdout,
# --format github), the SARIF file, the Markdown step summary and a JSON report for the counts;
# the step's outputs are the findings and input-error counts and the SARIF path; the exit code
# is check's.
set -uo pipefail
bin="${PRISMA_LINT_BIN:?}"
tmp="${RUNNER_TEMP:?}"
sarif="${INPUT_SARIF_FILE:-}"
[ -n "$sarif" ] || sarif="$tmp/prisma-lint.sarif"
markdown="$tmp/prisma-lint-summary.md"
report="$tmp/prisma-lint-report.json"
args=(check --format github --fail-on "${INPUT_FAIL_ON:-warning}"
  --output-format "$sarif:sarif" --output-format "$markdown:markdown" --output-format "$report:json")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_PATH:-}" ] && args+=("$INPUT_PATH")

"$bin" "${args[@]}"
code=$?
if [ -s "$markdown" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$markdown" >> "$GITHUB_STEP_SUMMARY"
fi
findings="" errors=""
if [ -s "$report" ]; then
  # the venv's Python (python.exe under Scripts\ on Windows: Git Bash finds it without .exe)
  read -r findings errors < <("${bin%/*}/python" -c 'import json, sys; s = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]; print(s["findings"], s["errors"])' "$report")
fi
{
  echo "findings=${findings}"
  echo "errors=${errors}"
  [ -s "$sarif" ] && echo "sarif-file=$sarif"
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$code"
