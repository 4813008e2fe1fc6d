#!/usr/bin/env bash
# Regenerates crds/ from the API classes (src/main/java/io/mailroute/api) and copies them into the Helm chart.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
mvn -B -q test -Dtest=CrdFilesTest -Dmailroute.updateCrds=true -Dsurefire.failIfNoSpecifiedTests=false
if [ -d charts/mailroute-operator/crds ]; then
  cp crds/*.yml charts/mailroute-operator/crds/
fi
ls -1 crds/
