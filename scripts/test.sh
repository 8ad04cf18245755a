#!/usr/bin/env bash
# `make test`: type-check, formatting, lint, the OpenAPI contract, the plugins' API reports, every Jest suite (with a
# PostgreSQL 15 started for the run), the app build, the packed packages, then the browser end-to-end suite in real
# Chromium against the built portal. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
export CI=true BACKSTAGE_TEST_DISABLE_DOCKER=1 NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=6144"
OUT=.test-results; rm -rf "$OUT"; mkdir -p "$OUT"
passed=0; failed=0
: >"$OUT/failures.txt"
step() { echo; echo "==> $*"; current="$*"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
# a failed step: counted, and named again at the end
fail() { count 0 1; echo "${1:-$current} failed" >>"$OUT/failures.txt"; }

step "type-check"
if yarn tsc; then count 1 0; else fail; fi

step "formatting (prettier)"
if yarn prettier --check . >"$OUT/prettier.log" 2>&1; then count 1 0; else grep -v "^Checking" "$OUT/prettier.log" | tail -40; fail; fi

step "lint"
if yarn backstage-cli repo lint && yarn lint:e2e; then count 1 0; else fail; fi

step "OpenAPI contract (generated code up to date, spec validated and linted)"
if yarn openapi:check; then count 1 0; else fail; fi

step "API reports (each plugin's committed report*.api.md matches its exports; regenerate: yarn api-reports)"
# The script compiles the declarations afresh (--incremental false): an incremental build may print an inferred union
# in another order, and the reports must read the same in every checkout.
if yarn api-reports:check >"$OUT/api-reports.log" 2>&1; then count 1 0; else
  grep -v "^Analysis will use" "$OUT/api-reports.log" | tail -40
  echo "A plugin's public API differs from its committed report: run 'yarn api-reports' and commit the report*.api.md files."
  fail
fi

step "unit and integration tests (SQLite and PostgreSQL 15)"
source scripts/postgres.sh
trap 'shipyard_pg_stop' EXIT
yarn backstage-cli repo test --json --outputFile="$PWD/$OUT/jest.json" --testTimeout=60000
if [ -f "$OUT/jest.json" ]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$PWD/$OUT/jest.json")
  count "$p" "$f"
  node scripts/jest-failures.js "$PWD/$OUT/jest.json" >>"$OUT/failures.txt"
else
  fail "Jest (no results written)"
fi

step "build"
if yarn workspace app build >"$OUT/build-app.log" 2>&1; then count 1 0; else tail -40 "$OUT/build-app.log"; fail; fi

step "packages (built and packed as published, each tarball's contents checked)"
if node scripts/release.js --out "$OUT/release" >"$OUT/release.log" 2>&1; then count 1 0; else tail -40 "$OUT/release.log"; fail; fi

step "end-to-end (Chromium)"
SHIPYARD_E2E_OUT="$OUT" yarn playwright test
if [ -f "$OUT/e2e.json" ]; then
  read -r p f < <(node -e 'const s=require(process.argv[1]).stats;console.log(s.expected, s.unexpected + s.flaky + (require(process.argv[1]).errors||[]).length)' "$PWD/$OUT/e2e.json")
  count "$p" "$f"
  [ "$f" -eq 0 ] || echo "end-to-end: $f failed (named in the Playwright list above)" >>"$OUT/failures.txt"
else
  fail "end-to-end (no results written)"
fi

echo
# Failures again at the end, where a log's tail shows them.
if [ -s "$OUT/failures.txt" ]; then echo "==> failed"; cat "$OUT/failures.txt"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
