#!/usr/bin/env bash
# The native Oxigraph SPARQL server (RocksDB on disk) for test/store/remote.test.ts, built from
# crates.io at a pinned version and cached: the RocksDB C++ build takes long on 2 cores, so it
# runs only when the cached binary is missing. The target dir is kept in the cache so an
# interrupted build resumes instead of starting over. Prints the binary's path.
set -euo pipefail
VERSION="${OXIGRAPH_VERSION:-0.5.13}"
CACHE="${HOME}/.cache/kikv-datastation"
ROOT="${CACHE}/oxigraph-${VERSION}"
BIN="${ROOT}/bin/oxigraph"
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$ROOT"
echo "building oxigraph-cli ${VERSION} into ${ROOT} (slow: RocksDB)" >&2
CARGO_TARGET_DIR="${CACHE}/oxigraph-${VERSION}-target" CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" \
  nice -n 19 cargo install oxigraph-cli --version "=${VERSION}" --locked --root "$ROOT" >&2
rm -rf "${CACHE}/oxigraph-${VERSION}-target"
"$BIN" --version >&2
echo "$BIN"
