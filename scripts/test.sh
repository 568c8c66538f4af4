#!/usr/bin/env bash
# `npm test`: every test. Installs the Debian packages the tests need when they are missing
# (Chromium for browser tests, poppler-utils for pdftotext), type-checks, builds, then runs the
# unit and integration tests and the browser tests, and closes with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || { echo "test: could not install ${missing[*]}" >&2; exit 1; }
fi
[ -d node_modules ] || npm ci --no-audit --no-fund --strict-allow-scripts || exit 1

export VITE_CJS_IGNORE_WARNING=true
npx tsc --noEmit || { echo "test: type check failed" >&2; exit 1; }
npx remix build >/dev/null || { echo "test: remix build failed" >&2; exit 1; }

results=$(mktemp -d)
status=0
npx vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile="$results/unit.json" || status=1
npx vitest run --config test/e2e/vitest.config.ts --reporter=default --reporter=json --outputFile="$results/e2e.json" || status=1

node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results/unit.json" "$results/e2e.json"
rm -rf "$results"
exit $status
