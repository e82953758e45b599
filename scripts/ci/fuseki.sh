#!/usr/bin/env bash
# Apache Jena Fuseki 5.6.0 for test/store/remote.test.ts: its jars from Maven Central (pinned in
# scripts/ci/fuseki/pom.xml), cached per machine. The tests start it themselves on a free port.
# Prints the folder of jars (java -cp "<dir>/*" org.apache.jena.fuseki.main.cmds.FusekiMainCmd).
set -euo pipefail
VERSION=5.6.0
LIBS="${HOME}/.cache/kikv-datastation/fuseki-${VERSION}/libs"
if [ ! -f "${LIBS}/jena-fuseki-main-${VERSION}.jar" ] || [ ! -f "${LIBS}/.complete" ]; then
  mkdir -p "${LIBS}.tmp"
  mvn -q -B -f "$(dirname "$0")/fuseki/pom.xml" dependency:copy-dependencies -DoutputDirectory="${LIBS}.tmp" >&2
  touch "${LIBS}.tmp/.complete"
  rm -rf "$LIBS" && mv "${LIBS}.tmp" "$LIBS"
fi
echo "$LIBS"
