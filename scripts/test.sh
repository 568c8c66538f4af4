#!/usr/bin/env bash
# `npm test`: every test. Installs the Debian packages the tests need when they are missing
# (Chromium for browser tests, poppler-utils for pdftotext, unzip for the zips, postgresql), type-checks, builds,
# then runs the unit and integration tests, the integration tests again on PostgreSQL (decision
# 0023; a local server is started when none answers, TEST_POSTGRES=skip leaves this out), and
# the browser tests, then the tenant sweep and the finance flow again with the console on
# PostgreSQL (E2E_DATABASE=postgres), and closes with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if [ "${TEST_POSTGRES:-}" != skip ] && [ -z "${TEST_POSTGRES_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || { echo "test: could not install ${missing[*]}" >&2; exit 1; }
fi
[ -d node_modules ] || npm ci --no-audit --no-fund --strict-allow-scripts || exit 1

export VITE_CJS_IGNORE_WARNING=true
npx tsc --noEmit || { echo "test: type check failed" >&2; exit 1; }
# Lint and layout (issue 16 item 8): `npm run lint` shows the same; `npm run format` fixes the layout.
npx eslint --max-warnings 0 . || { echo "test: ESLint found problems" >&2; exit 1; }
npx prettier --check --log-level warn . || { echo "test: files not formatted by Prettier (npm run format)" >&2; exit 1; }
# Literal copies of six lines or more outside migrations and tests (issue 16, decision 0041).
npx jscpd --config .jscpd.json --reporters silent || { npx jscpd --config .jscpd.json; echo "test: duplicated code found (npm run dup lists it)" >&2; exit 1; }
npx remix build >/dev/null || { echo "test: remix build failed" >&2; exit 1; }

# PostgreSQL for the second integration run: TEST_POSTGRES_URL names a server, otherwise the
# Debian cluster on this machine is started (as root, or through sudo) and used over its socket.
postgres_ready() {
  node -e '
    const pg = require("pg");
    // As db/connection.ts withDefaultUser: a URL without a user signs in as the system user.
    const user = encodeURIComponent(process.env.PGUSER ?? process.env.USER ?? require("os").userInfo().username);
    const url = process.argv[1].replace(/^(postgres(?:ql)?:\/\/)(?![^/?#]*@)/, `$1${user}@`);
    const c = new pg.Client({ connectionString: url });
    c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
  ' "${TEST_POSTGRES_URL:-postgres:///postgres?host=/var/run/postgresql}" >/dev/null 2>&1
}
pg_status=skip
if [ "${TEST_POSTGRES:-}" != skip ]; then
  if ! postgres_ready && [ -z "${TEST_POSTGRES_URL:-}" ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -n "$version" ]; then
      $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
      # The tests sign in as the system user over the socket: give it a role that may create databases.
      user=$(id -un)
      $SUDO runuser -u postgres -- psql -qAtc "select 1 from pg_roles where rolname = '$user'" | grep -q 1 \
        || $SUDO runuser -u postgres -- psql -qc "create role \"$user\" login createdb" >/dev/null
    fi
  fi
  if postgres_ready; then pg_status=run; else echo "test: no PostgreSQL server answers; the PostgreSQL run fails" >&2; pg_status=fail; fi
fi

results=$(mktemp -d)
status=0
npx vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile="$results/unit.json" || status=1
case $pg_status in
  run)
    started=$(date +%s)
    TEST_DATABASE=postgres npx vitest run --config test/vitest.config.ts --reporter=default --reporter=json \
      --outputFile="$results/postgres.json" $(cat test/postgres-files.txt | grep -v '^#') || status=1
    echo "test: the PostgreSQL run took $(( $(date +%s) - started )) s" >&2
    ;;
  fail) status=1 ;;
esac
npx vitest run --config test/e2e/vitest.config.ts --reporter=default --reporter=json --outputFile="$results/e2e.json" || status=1
# The browser tests that also run with the console on PostgreSQL (issue 18 item 2).
postgres_e2e=(test/e2e/tenant-sweep.e2e.test.ts test/e2e/finance.e2e.test.ts)
case $pg_status in
  run)
    started=$(date +%s)
    E2E_DATABASE=postgres npx vitest run --config test/e2e/vitest.config.ts --reporter=default --reporter=json \
      --outputFile="$results/e2e-postgres.json" "${postgres_e2e[@]}" || status=1
    echo "test: the browser tests on PostgreSQL took $(( $(date +%s) - started )) s" >&2
    ;;
esac

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
' "$results/unit.json" $([ "$pg_status" = run ] && echo "$results/postgres.json") "$results/e2e.json" \
  $([ "$pg_status" = run ] && echo "$results/e2e-postgres.json")
rm -rf "$results"
exit $status
