#!/usr/bin/env bash
# CI: Debian's Chromium for the console's browser tests (test/console). playwright-core drives it;
# no browser is ever downloaded by playwright. Idempotent: nothing to do when it is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium.sh: /usr/bin/chromium is missing and installing it needs root (apt-get install chromium)" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
