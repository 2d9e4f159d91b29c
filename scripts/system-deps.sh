#!/usr/bin/env bash
# Installs the system programs the test suite uses, when they are missing:
# PostgreSQL (a real server for the storage tests), Debian's chromium (the browser test),
# poppler-utils (pdftoppm renders the PDF report to PNG) and GNU PSPP (opens the SPSS export).
# Needs root and apt-get; elsewhere it says what to install and the tests that need them skip.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v pspp >/dev/null 2>&1 || need+=(pspp)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "system-deps: please install ${need[*]} (tests that need them will be skipped)" >&2
fi
