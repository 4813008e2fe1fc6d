#!/usr/bin/env bash
# Runs every test. On a fresh Debian machine it first installs what the tests need (JDK 17, Maven, etcd,
# kube-apiserver built from Debian's source package, ...) and builds the container images without Docker
# (hack/build-images.sh). The tests start their own control plane and containerd.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

hack/install-deps.sh
hack/dns-server.sh install
hack/install-relay-deps.sh
hack/build-kube-apiserver.sh >/dev/null

# The image tests (src/test/java/io/mailroute/image) run the relay and operator images under a private containerd.
# The operator image needs the packaged app (target/mailroute-operator-runner.jar), so package first; build-images.sh rebuilds an
# image only when its inputs changed (a few seconds when nothing did).
log "packaging the app for the operator image"
mvn -B -ntp -q package -Dmaven.test.skip=true
hack/build-images.sh
# ClusterJourneyTest runs a one-node cluster (hack/cluster.sh): kubelet, kube-controller-manager, kube-scheduler and
# kube-proxy are built once from the same source tree as kube-apiserver (about 12 minutes of CPU on a fresh machine).
hack/cluster.sh build

# Every process the tests start inherits this marker; hack/check-leftovers.sh finds (and stops) any of them still
# running after Maven exits, and fails the run: fixtures must stop what they start, also when startup fails.
run_id="$(date +%s)-$$"
log "running mvn verify"
rc=0
MAILROUTE_TEST_RUN="$run_id" mvn -B -ntp verify "$@" || rc=$?
env -u MAILROUTE_TEST_RUN hack/check-leftovers.sh "$run_id" || { [ "$rc" -ne 0 ] || rc=1; }
exit "$rc"
