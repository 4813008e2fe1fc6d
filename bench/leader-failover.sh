#!/usr/bin/env bash
# Leader failover (docs/benchmarks.md): two replicas of the packaged operator jar (prod profile: leader election on,
# Lease "mailroute-operator" in namespace default) against the real API server. The leader (the Lease's
# holderIdentity) is killed with SIGKILL, as a node loss would; measured: time until the other replica holds the
# Lease, and until a route created right after the kill is in the relay's ConfigMap.
#
#   bench/leader-failover.sh [ROUNDS]     default: 3 (each round starts a replica again to have two)
#
# All processes it starts are stopped on exit (own control-plane state dir).
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
ROUNDS="${1:-3}"
WORK="${BENCH_DIR:-/tmp/mailroute-failover-$$}"
export MAILROUTE_STATE="$WORK/control-plane"
declare -A pids=()

cleanup() {
  local id
  for id in "${!pids[@]}"; do kill -9 "${pids[$id]}" 2>/dev/null || true; done
  hack/control-plane.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

install_control_plane
if [ -z "${FAILOVER_SKIP_PACKAGE:-}" ]; then
  package_operator_jar
fi
mkdir -p "$WORK"
eval "$(hack/control-plane.sh start)"
crds_and_relay failover relay relay.failover.test

start_replica() {  # ID
  local id="$1" port; port="$(free_port)"
  HOSTNAME="$id" QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL="$MAILROUTE_API_URL" \
  QUARKUS_KUBERNETES_CLIENT_TOKEN="$MAILROUTE_API_TOKEN" QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE="$MAILROUTE_API_CA_FILE" \
  MAILROUTE_LEADER_ELECTION_NAMESPACE=default MAILROUTE_DNS_SERVERS=127.0.0.1:9 QUARKUS_HTTP_PORT="$port" \
    java -jar target/mailroute-operator-runner.jar >"$WORK/operator-$id.log" 2>&1 &
  pids[$id]=$!
}

holder() { "$MAILROUTE_KUBECTL" -n default get lease mailroute-operator -o jsonpath='{.spec.holderIdentity}' 2>/dev/null || true; }

route() {  # NAME DOMAIN
  "$MAILROUTE_KUBECTL" apply -f - >/dev/null <<YAML
apiVersion: mailroute.io/v1alpha1
kind: MailRoute
metadata: {name: $1, namespace: failover}
spec:
  relayRefs: [{name: relay}]
  domains: [$2]
  validation: "Off"
  target: {hosts: [{host: 192.0.2.1}]}
YAML
}

rendered() { "$MAILROUTE_KUBECTL" -n failover get configmap relay-config -o jsonpath='{.data.transport}' 2>/dev/null | grep -q "^$1 "; }

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

start_replica replica-0
start_replica replica-1
next=2
route warmup warmup.failover.test
WAIT_SECONDS=120 wait_for rendered warmup.failover.test || die "no replica rendered the first route; see $WORK/operator-*.log"
echo "| round | killed leader | other replica holds the Lease | route created after the kill is in the ConfigMap |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  leader="$(holder)"
  [ -n "$leader" ] && [ -n "${pids[$leader]:-}" ] || die "Lease holder '$leader' is not one of our replicas"
  # the follower must be up (its /q/health/ready answers) before the leader goes
  sleep 5
  t0=$(date +%s%N)
  kill -9 "${pids[$leader]}"; wait "${pids[$leader]}" 2>/dev/null || true; unset "pids[$leader]"
  route "r$round" "r$round.failover.test"
  lease_ms="" route_ms=""
  for _ in $(seq 1 1200); do
    h="$(holder)"
    if [ -z "$lease_ms" ] && [ -n "$h" ] && [ "$h" != "$leader" ]; then lease_ms=$(ms_since "$t0"); fi
    if [ -z "$route_ms" ] && rendered "r$round.failover.test"; then route_ms=$(ms_since "$t0"); fi
    [ -n "$lease_ms" ] && [ -n "$route_ms" ] && break
    sleep 0.1
  done
  echo "| $round | $leader | ${lease_ms:-not within 120 s} ms | ${route_ms:-not within 120 s} ms |"
  start_replica "replica-$next"; next=$((next + 1))
done
