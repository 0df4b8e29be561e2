#!/usr/bin/env bash
# The console in a real browser: Debian's headless Chromium and chromedriver, driven by Selenium
# from PyPI in a throwaway venv under .build, against a real `dropgate run` on 127.0.0.1.
# Prints one "Browser test <name> passed|failed" line per test (counted by .ci/test-summary.sh)
# and exits non-zero when one fails. Screenshots go to .build/screenshots/ (SCREENSHOTS=docs/screenshots refreshes the committed ones).
set -euo pipefail
cd "$(dirname "$0")/../.."
SELENIUM_VERSION=4.38.0   # its dependencies resolve on the PyPI this project reaches
PROMETHEUS_CLIENT_VERSION=0.26.0
venv=.build/browser-venv
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "$tool is missing (make deps installs chromium and chromium-driver)"; echo "Browser test setup failed"; exit 1; }
done
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import selenium, prometheus_client, sys; sys.exit(selenium.__version__ != '$SELENIUM_VERSION')" 2>/dev/null \
  || "$venv/bin/pip" install --quiet "selenium==$SELENIUM_VERSION" "prometheus-client==$PROMETHEUS_CLIENT_VERSION" \
  || { echo "Browser test setup failed"; exit 1; }
bin="${DROPGATE_BIN:-$(swift build --show-bin-path)/dropgate}"
[ -x "$bin" ] || { echo "no dropgate binary at $bin (swift build first)"; echo "Browser test setup failed"; exit 1; }
exec "$venv/bin/python" Tests/Browser/test_console.py --dropgate "$bin" --mappings mappings --samples samples --screenshots "${SCREENSHOTS:-.build/screenshots}"
