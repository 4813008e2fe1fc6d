#!/usr/bin/env bash
# Runs every test. On a fresh Debian machine it first installs what the tests need (JDK 17, Maven, etcd,
# kube-apiserver built from Debian's source package, ...). The tests start their own control plane.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

hack/install-deps.sh
hack/dns-server.sh install
hack/install-relay-deps.sh
hack/build-kube-apiserver.sh >/dev/null

log "running mvn verify"
mvn -B -ntp verify "$@"
