#!/usr/bin/env bash
# The one-command local demo: embedded control plane (etcd + kube-apiserver built from Debian's source package),
# the operator, and the examples/ routes. Leaves everything running and prints how to use and stop it.
#   hack/demo.sh          start (idempotent)
#   hack/demo.sh stop     stop the operator and the control plane
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
DEMO_STATE="${MAILROUTE_DEMO_STATE:-/tmp/mailroute-demo}"
mkdir -p "$DEMO_STATE"

stop_operator() {
  if [ -f "$DEMO_STATE/operator.pid" ]; then
    kill "$(cat "$DEMO_STATE/operator.pid")" 2>/dev/null || true
    rm -f "$DEMO_STATE/operator.pid"
  fi
}

if [ "${1:-start}" = "stop" ]; then
  stop_operator
  hack/dns-server.sh stop || true
  hack/control-plane.sh stop
  exit 0
fi

hack/install-deps.sh
hack/dns-server.sh install
eval "$(hack/control-plane.sh start)"
# A local authoritative DNS server (knot) with the example zones, including the seed's outlook.com-style zones:
# the operator validates routes against it, never against outside resolvers.
eval "$(hack/dns-server.sh start)"
KUBECTL="$MAILROUTE_KUBECTL"

if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
  log "building the operator"
  mvn -B -q -ntp package -Dmaven.test.skip=true
fi

log "installing CRDs"
# kubectl 1.20 does not know the CEL field x-kubernetes-validations; the 1.20 server ignores it.
"$KUBECTL" apply --validate=false -f crds/ >/dev/null
"$KUBECTL" wait --for condition=established --timeout=60s crd/mailrelays.mailroute.io crd/mailroutes.mailroute.io >/dev/null

stop_operator
log "starting the operator (log: $DEMO_STATE/operator.log)"
QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL="$MAILROUTE_API_URL" \
QUARKUS_KUBERNETES_CLIENT_TOKEN="$MAILROUTE_API_TOKEN" \
QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE="$MAILROUTE_API_CA_FILE" \
QUARKUS_OPERATOR_SDK_LEADER_ELECTION_ENABLED=false \
MAILROUTE_DNS_SERVERS="$MAILROUTE_DNS_SERVER" \
QUARKUS_HTTP_PORT="${MAILROUTE_DEMO_HTTP_PORT:-18080}" \
  nohup java -jar target/quarkus-app/quarkus-run.jar >"$DEMO_STATE/operator.log" 2>&1 &
echo $! >"$DEMO_STATE/operator.pid"

log "applying examples/"
"$KUBECTL" apply -f examples/ >/dev/null
if ! "$KUBECTL" wait --for=condition=Ready --timeout=90s mroute --all -n default >/dev/null; then
  log "routes not Ready yet; operator log tail:"
  tail -20 "$DEMO_STATE/operator.log" >&2
fi

echo
"$KUBECTL" get mrelay,mroute -A
echo
echo "Rendered transport map of MailRelay default/outbound:"
"$KUBECTL" get configmap outbound-config -n default -o jsonpath='{.data.transport}'
echo
cat <<MSG

The demo keeps running.
  export KUBECONFIG=$KUBECONFIG
  $KUBECTL get mroute -o wide
  $KUBECTL describe mroute outlook-com
Operator log: $DEMO_STATE/operator.log
Stop everything: hack/demo.sh stop
MSG
