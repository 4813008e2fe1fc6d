#!/usr/bin/env bash
# Writes src/main/docker/operator/start-classes.lst: the classes the operator's JVM loads in a real start, from
# which the image's build makes its CDS archive (src/main/docker/operator/cds-archive.sh). Run it after a change of
# dependencies or of the start path; StartClassesTest says when it is due.
#
#   hack/update-start-classes.sh
#
# Packages the jar, starts the local control plane (hack/control-plane.sh, its own state dir) and a knot serving one
# domain, and runs the jar as the image runs it (the image's JAVA_OPTS without the archive, no kubeconfig: the pod
# has none) with -XX:DumpLoadedClassList: through the probes' first answers, until a MailRelay and a MailRoute are
# reconciled and the route is Ready, then SIGTERM, so that the list holds the classes of start, probes, first
# reconciles and stop. Stops everything it started.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
OUT=src/main/docker/operator/start-classes.lst
WORK="$(mktemp -d /tmp/mailroute-start-classes.XXXXXX)"
export MAILROUTE_STATE="$WORK/control-plane"
operator_pid="" knot_pid=""
cleanup() {
  [ -z "$operator_pid" ] || kill -9 "$operator_pid" 2>/dev/null || true
  [ -z "$knot_pid" ] || kill "$knot_pid" 2>/dev/null || true
  hack/control-plane.sh stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

install_control_plane
hack/dns-server.sh install
package_operator_jar
JAR=target/mailroute-operator-runner.jar
IMAGE_JAVA_OPTS="$(image_java_opts)"
opts=""
for o in $IMAGE_JAVA_OPTS; do
  case "$o" in -XX:SharedArchiveFile=*) ;; *) opts="$opts $o" ;; esac
done

eval "$(hack/control-plane.sh start)"
eval "$(bench/knot.sh 1 "$WORK/dns")"
crds_and_relay training training relay.bench.test
"$MAILROUTE_KUBECTL" apply -f - >/dev/null <<YAML
apiVersion: mailroute.io/v1alpha1
kind: MailRoute
metadata: {name: training, namespace: training}
spec: {relayRefs: [{name: training}], domains: [d0.bench.test], target: {mx: {port: 25}}, tls: may, validation: Enforce}
YAML
log "starting the operator with -XX:DumpLoadedClassList"
port="$(free_port)"
# shellcheck disable=SC2086 # opts holds several flags
env -u KUBECONFIG \
  QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL="$MAILROUTE_API_URL" QUARKUS_KUBERNETES_CLIENT_TOKEN="$MAILROUTE_API_TOKEN" \
  QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE="$MAILROUTE_API_CA_FILE" MAILROUTE_LEADER_ELECTION_NAMESPACE=default \
  MAILROUTE_DNS_SERVERS="$DNS_SERVER" QUARKUS_HTTP_PORT="$port" \
  java $opts -Xmx256m -XX:DumpLoadedClassList="$WORK/classes.lst" -jar "$JAR" >"$WORK/operator.log" 2>&1 &
operator_pid=$!
# the kubelet's probes (the chart's startup, liveness and readiness probes) are part of every start
WAIT_SECONDS=120 wait_for curl -sf "http://127.0.0.1:$port/q/health/live" \
  || { tail -n 40 "$WORK/operator.log" >&2; die "the operator did not come up"; }
WAIT_SECONDS=120 wait_for curl -sf "http://127.0.0.1:$port/q/health/ready" \
  || { tail -n 40 "$WORK/operator.log" >&2; die "the operator did not become ready"; }
"$MAILROUTE_KUBECTL" -n training wait --for condition=Ready --timeout=120s mailroute/training >/dev/null \
  || { tail -n 40 "$WORK/operator.log" >&2; die "the route did not become Ready"; }
kill -TERM "$operator_pid"
wait "$operator_pid" || true
operator_pid=""
[ -s "$WORK/classes.lst" ] || die "the JVM wrote no class list"
{
  echo "# Classes of an operator start, first reconciles and stop, for the image's CDS archive"
  echo "# (src/main/docker/operator/cds-archive.sh). Written by hack/update-start-classes.sh; do not edit."
  # sorted, so that a new list differs from the last by the classes that changed, not by the order in which the
  # threads of one start happened to load them (the dump loads each class with its supertypes in any order, and
  # resolves the lambda lines after the classes)
  LC_ALL=C grep -v '^[#@]' "$WORK/classes.lst" | LC_ALL=C sort
  LC_ALL=C grep '^@' "$WORK/classes.lst" | LC_ALL=C sort
} >"$OUT"
log "wrote $OUT: $(grep -vc '^[#@]' "$OUT") classes, $(grep -c '^@' "$OUT") lambda lines"
