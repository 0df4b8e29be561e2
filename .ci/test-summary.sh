#!/usr/bin/env bash
# Totals both test frameworks of one `swift test` log into one line: N passed, N failed, N skipped.
# XCTest prints "Test Case '…' passed|failed|skipped (…)" per test; Swift Testing prints
# "✔ Test … passed", "✘ Test … failed" and "➜ Test … skipped" (its run line and issues are not tests).
set -euo pipefail
log="${1:?usage: test-summary.sh LOG}"
awk '
  /^Test Case .* passed \(/  { p++ } /^Test Case .* failed \(/  { f++ } /^Test Case .* skipped \(/ { s++ }
  /^✔ Test / && !/^✔ Test run/ { p++ }
  /^✘ Test / && !/^✘ Test run/ && !/recorded an issue/ && / failed / { f++ }
  /^➜ Test / && / skipped/ { s++ }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
