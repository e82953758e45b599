#!/usr/bin/env bash
# Debian's HAProxy (bookworm: 2.6, the LTS series deploy/compose.yaml's haproxy:2.6 image runs) for
# test/deploy/layout.test.ts: it checks deploy/haproxy.cfg with `haproxy -c` and runs it in front
# of two API processes. Installed with apt when missing; idempotent; nothing is started here (the
# test runs its own haproxy on loopback ports). Prints the binary's path.
set -euo pipefail
SERIES="${KIKV_HAPROXY_SERIES:-2.6}"
if ! command -v haproxy >/dev/null 2>&1; then
  if ! apt-cache policy haproxy 2>/dev/null | grep -q "Candidate: $SERIES\."; then apt-get update -qq >&2; fi
  VERSION="$(apt-cache policy haproxy | sed -n 's/^ *Candidate: //p')"
  case "$VERSION" in
    "$SERIES".*) ;;
    *) echo "Debian offers haproxy $VERSION, not the $SERIES series deploy/compose.yaml pins" >&2; exit 1 ;;
  esac
  echo "installing Debian's haproxy $VERSION" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "haproxy=$VERSION" >&2
fi
INSTALLED="$(haproxy -v | sed -n 's/^HAProxy version \([0-9.]*\).*/\1/p')"
case "$INSTALLED" in
  "$SERIES".*) ;;
  *) echo "haproxy $INSTALLED is installed, not the $SERIES series deploy/compose.yaml pins" >&2; exit 1 ;;
esac
command -v haproxy
