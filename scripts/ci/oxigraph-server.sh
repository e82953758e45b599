#!/usr/bin/env bash
# The native Oxigraph SPARQL server (RocksDB on disk) for test/store/remote.test.ts, pinned and
# cached in ~/.cache/kikv-datastation. By default the Oxigraph project's own build of oxigraph-cli
# as published on PyPI (package `oxigraph`: the server binary, no Python in it), which installs in
# seconds; OXIGRAPH_FROM_SOURCE=1 builds the same version from crates.io instead (RocksDB's C++
# takes long on 2 cores; the target dir is cached so an interrupted build resumes). Prints the path.
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
if [ "${OXIGRAPH_FROM_SOURCE:-}" = 1 ]; then
  echo "building oxigraph-cli ${VERSION} into ${ROOT} (slow: RocksDB)" >&2
  CARGO_TARGET_DIR="${CACHE}/oxigraph-${VERSION}-target" CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" \
    nice -n 19 cargo install oxigraph-cli --version "=${VERSION}" --locked --root "$ROOT" >&2
  rm -rf "${CACHE}/oxigraph-${VERSION}-target"
else
  echo "installing oxigraph-cli ${VERSION} (PyPI package oxigraph) into ${ROOT}" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$ROOT" "oxigraph==${VERSION}" >&2
fi
"$BIN" --version >&2
echo "$BIN"
