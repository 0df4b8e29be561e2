#!/usr/bin/env bash
# Totals both test frameworks of one `swift test` log, and the browser tests' log (Tests/Browser:
# "Browser test … passed|failed"), into one line: N passed, N failed, N skipped.
# XCTest prints "Test Case '…' passed|failed|skipped (…)" per test; Swift Testing prints
# "✔ Test … passed", "✘ Test … failed" and "➜ Test … skipped" (its run line and issues are not tests).
set -euo pipefail
: "${1:?usage: test-summary.sh LOG [BROWSER-LOG]}"
awk '
  /^Test Case .* passed \(/  { p++ } /^Test Case .* failed \(/  { f++ } /^Test Case .* skipped \(/ { s++ }
  /^✔ Test / && !/^✔ Test run/ { p++ }
  /^✘ Test / && !/^✘ Test run/ && !/recorded an issue/ && / failed / { f++ }
  /^➜ Test / && / skipped/ { s++ }
  /^Browser test .* passed$/ { p++ } /^Browser test .* failed$/ { f++ }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$@"
