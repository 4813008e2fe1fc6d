#!/usr/bin/env bash
# The one-command local demo: embedded control plane (etcd + kube-apiserver built from Debian's source package),
# the operator, and the examples/ routes. Leaves everything running and prints how to use and stop it.
#   hack/demo.sh            start (idempotent)
#   hack/demo.sh stop       stop the operator and the control plane
#   hack/demo.sh node       the real thing on the one-node cluster (hack/cluster.sh): the images built here, the chart
#                           installed, the relay a StatefulSet pod, mail through its Service (see node_demo below)
#   hack/demo.sh node stop  stop it (the whole cluster)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
DEMO_STATE="${MAILROUTE_DEMO_STATE:-/tmp/mailroute-demo}"
mkdir -p "$DEMO_STATE"

# The demo on a real node: hack/cluster.sh (kubelet on containerd, kube-proxy, controller-manager, scheduler, pod DNS
# with the example zones), the operator and relay images from hack/build-images.sh, the chart installed with
# helm-java (no helm binary here: io.mailroute.cluster.DemoChart), examples/ applied plus a route for demo.example to
# an SMTP sink on the node's bridge address, and a test mail sent to the relay's Service address. On a fresh machine
# the first run builds the node binaries (~20 min) and the images (~6 min); later runs take a few minutes.
NODE_SINK_PORT=2526
node_demo() {
  if [ "${1:-}" = stop ]; then
    stop_pid node-sink
    hack/cluster.sh stop
    exit 0
  fi
  hack/install-deps.sh
  hack/install-relay-deps.sh
  hack/build-kube-apiserver.sh >/dev/null
  log "building the operator (and the test classes: the chart is installed with helm-java)"
  mvn -B -q -ntp package -DskipTests
  mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$DEMO_STATE/classpath.txt" \
    >/dev/null
  hack/build-images.sh
  hack/cluster.sh build
  eval "$(hack/cluster.sh start)"
  local kubectl="$MAILROUTE_KUBECTL" gateway="$MAILROUTE_CLUSTER_GATEWAY"
  log "installing the CRDs and the chart (release mailroute-system/mr, the images imported into the node)"
  "$kubectl" apply --validate=false -f crds/ >/dev/null
  "$kubectl" wait --for condition=established --timeout=60s crd/mailrelays.mailroute.io crd/mailroutes.mailroute.io \
    >/dev/null
  java -cp "target/test-classes:target/classes:$(cat "$DEMO_STATE/classpath.txt")" io.mailroute.cluster.DemoChart \
    install "$KUBECONFIG"
  "$kubectl" -n mailroute-system rollout status deployment/mr-mailroute-operator --timeout=300s

  stop_pid node-sink
  mkdir -p "$DEMO_STATE/node-sink" && chown nobody "$DEMO_STATE/node-sink"
  rm -f "$DEMO_STATE/node-sink/received"
  log "starting an SMTP sink on $gateway:$NODE_SINK_PORT (the node's bridge address, which pods reach)"
  smtp-sink -u nobody -D "$DEMO_STATE/node-sink/received" "$gateway:$NODE_SINK_PORT" 10 \
    >"$DEMO_STATE/node-sink.log" 2>&1 &
  echo $! >"$DEMO_STATE/node-sink.pid"

  log "applying examples/ and a route for demo.example to that sink"
  sed -e "s/host: 127.0.0.1, port: 2526/host: $gateway, port: $NODE_SINK_PORT/" hack/demo/local-sink-route.yaml \
    | "$kubectl" apply -f examples/ -f - >/dev/null
  log "waiting for the relay pod outbound-0 and MailRelay default/outbound Programmed=True (from the pod's status)"
  "$kubectl" wait --for=condition=Programmed --timeout=300s mrelay/outbound -n default >/dev/null \
    || { "$kubectl" get pods -A; die "relay not programmed"; }
  "$kubectl" wait --for=condition=Ready --timeout=120s mroute/demo-sink -n default >/dev/null || true

  echo
  "$kubectl" get pods,pvc -n default -o wide
  echo
  "$kubectl" get mrelay,mroute -A
  echo
  local service
  service="$("$kubectl" -n default get service outbound -o jsonpath='{.spec.clusterIP}')"
  log "sending a test mail for someone@demo.example to the relay's Service $service:25"
  swaks --silent 1 --server "$service:25" --from demo@cluster.example --to someone@demo.example \
    --header "Subject: mailroute node demo $(date +%s)" --body "routed by mailroute-operator" || log "swaks failed"
  for _ in $(seq 1 30); do
    grep -q "^Subject: mailroute node demo" "$DEMO_STATE/node-sink/received" 2>/dev/null && break
    sleep 1
  done
  echo "Relay pod log (where the message went):"
  "$kubectl" -n default logs outbound-0 | grep -E "to=<someone@demo.example>" | tail -2
  echo "The sink at $gateway:$NODE_SINK_PORT received:"
  grep -E "^(From|To|Subject):" "$DEMO_STATE/node-sink/received" 2>/dev/null | tail -3 || echo "(nothing yet)"
  cat <<MSG

The node demo keeps running.
  export KUBECONFIG=$KUBECONFIG
  $kubectl get pods -A
  $kubectl describe mrelay outbound
Send more: swaks --server $service:25 --to someone@demo.example
Stop everything: hack/demo.sh node stop
MSG
}

stop_pid() {
  if [ -f "$DEMO_STATE/$1.pid" ]; then
    kill "$(cat "$DEMO_STATE/$1.pid")" 2>/dev/null || true
    rm -f "$DEMO_STATE/$1.pid"
  fi
}
stop_operator() { stop_pid operator; }
stop_relay() {
  stop_pid sync
  stop_pid relay
  stop_pid sink
  # the entrypoint stops Postfix on SIGTERM; make sure nothing of the demo instance is left
  [ -d "$DEMO_STATE/relay/postfix" ] && postfix -c "$DEMO_STATE/relay/postfix" stop >/dev/null 2>&1 || true
}
RELAY_DIR="$DEMO_STATE/relay"
RELAY_SMTP=127.0.0.1:2525
RELAY_STATUS=127.0.0.1:8025
SINK=127.0.0.1:2526

if [ "${1:-start}" = "node" ]; then
  node_demo "${2:-}"
  exit 0
fi
if [ "${1:-start}" = "stop" ]; then
  stop_relay
  stop_operator
  hack/dns-server.sh stop || true
  hack/control-plane.sh stop
  exit 0
fi

hack/install-deps.sh
hack/dns-server.sh install
hack/install-relay-deps.sh
eval "$(hack/control-plane.sh start)"
# A local authoritative DNS server (knot) with the example zones, including the seed's outlook.com-style zones:
# the operator validates routes against it, never against outside resolvers.
eval "$(hack/dns-server.sh start)"
KUBECTL="$MAILROUTE_KUBECTL"

# Always package (incremental, quick when nothing changed): a jar newer than every source file can still hold
# classes compiled before the last edit.
log "building the operator"
mvn -B -q -ntp package -Dmaven.test.skip=true

log "installing CRDs"
# kubectl 1.20 does not know the CEL field x-kubernetes-validations; the 1.20 server ignores it.
"$KUBECTL" apply --validate=false -f crds/ >/dev/null
"$KUBECTL" wait --for condition=established --timeout=60s crd/mailrelays.mailroute.io crd/mailroutes.mailroute.io >/dev/null

stop_operator
log "starting the operator (log: $DEMO_STATE/operator.log)"
QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL="$MAILROUTE_API_URL" \
QUARKUS_KUBERNETES_CLIENT_TOKEN="$MAILROUTE_API_TOKEN" \
QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE="$MAILROUTE_API_CA_FILE" \
MAILROUTE_LEADER_ELECTION_NAMESPACE=default \
MAILROUTE_DNS_SERVERS="$MAILROUTE_DNS_SERVER" \
QUARKUS_HTTP_PORT="${MAILROUTE_DEMO_HTTP_PORT:-18080}" \
  nohup java -jar target/mailroute-operator-runner.jar >"$DEMO_STATE/operator.log" 2>&1 &
echo $! >"$DEMO_STATE/operator.pid"

log "applying examples/ and the demo's local sink route"
"$KUBECTL" apply -f examples/ -f hack/demo/local-sink-route.yaml >/dev/null
if ! "$KUBECTL" wait --for=condition=Ready --timeout=90s mroute --all -n default >/dev/null; then
  log "routes not Ready yet; operator log tail:"
  tail -20 "$DEMO_STATE/operator.log" >&2
fi

start_relay() {
  stop_relay
  rm -rf "$RELAY_DIR" && mkdir -p "$RELAY_DIR/sink" "$RELAY_DIR/mount/config" "$RELAY_DIR/mount/sasl"
  chown nobody "$RELAY_DIR/sink"
  log "starting an SMTP sink on $SINK (stands in for the demo route's next hop)"
  smtp-sink -u nobody -D "$RELAY_DIR/sink/received" "$SINK" 10 >"$RELAY_DIR/sink.log" 2>&1 &
  echo $! >"$DEMO_STATE/sink.pid"
  # The kubelet's part: keep the mounted ConfigMap and Secret in step with the API server.
  ( while true; do
      hack/demo/sync-mount.py "$KUBECTL" configmap default outbound-config "$RELAY_DIR/mount/config"
      hack/demo/sync-mount.py "$KUBECTL" secret default outbound-sasl "$RELAY_DIR/mount/sasl"
      sleep 2
    done ) >"$RELAY_DIR/sync.log" 2>&1 &
  echo $! >"$DEMO_STATE/sync.pid"
  printf 'smtpd_peername_lookup = no\n' >"$RELAY_DIR/overrides.cf"
  log "starting the relay (the image's entrypoint, real Postfix) on $RELAY_SMTP, status on $RELAY_STATUS"
  RELAY_CONFIG_DIR="$RELAY_DIR/postfix" RELAY_CONFIG_MOUNT="$RELAY_DIR/mount/config" \
  RELAY_SASL_MOUNT="$RELAY_DIR/mount/sasl" RELAY_QUEUE_DIR="$RELAY_DIR/queue" RELAY_DATA_DIR="$RELAY_DIR/data" \
  RELAY_LISTEN="$RELAY_SMTP" RELAY_STATE_DIR="$RELAY_DIR/state" RELAY_MAILLOG="$RELAY_DIR/maillog" \
  RELAY_STATUS_LISTEN="$RELAY_STATUS" RELAY_MAIN_CF_OVERRIDES="$RELAY_DIR/overrides.cf" \
  PATH="/usr/sbin:/sbin:$PATH" \
    nohup bash src/main/docker/relay/entrypoint.sh >"$RELAY_DIR/entrypoint.log" 2>&1 </dev/null &
  echo $! >"$DEMO_STATE/relay.pid"
  # A pod object like the StatefulSet's, pointing the operator at the relay's status endpoint.
  "$KUBECTL" apply -f - >/dev/null <<POD
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: default}
---
apiVersion: v1
kind: Pod
metadata:
  name: outbound-0
  namespace: default
  labels: {app.kubernetes.io/name: mailroute-relay, app.kubernetes.io/instance: outbound}
spec:
  automountServiceAccountToken: false
  containers:
  - name: postfix
    image: mailroute/postfix-relay:0.1.0
    ports: [{name: smtp, containerPort: 25}, {name: status, containerPort: ${RELAY_STATUS##*:}}]
POD
  curl -sS --cacert "$MAILROUTE_API_CA_FILE" -H "Authorization: Bearer $MAILROUTE_API_TOKEN" -X PATCH \
    -H 'Content-Type: application/merge-patch+json' -o /dev/null \
    -d "{\"status\":{\"phase\":\"Running\",\"podIP\":\"${RELAY_STATUS%:*}\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}" \
    "$MAILROUTE_API_URL/api/v1/namespaces/default/pods/outbound-0/status"
}
start_relay
log "waiting until the relay runs the operator's configuration (MailRelay Programmed=True)"
"$KUBECTL" wait --for=condition=Programmed --timeout=90s mrelay/outbound -n default >/dev/null \
  || { log "relay not programmed; entrypoint log:"; tail -20 "$RELAY_DIR/entrypoint.log" >&2; }

echo
"$KUBECTL" get mrelay,mroute -A
echo
echo "Rendered transport map of MailRelay default/outbound:"
"$KUBECTL" get configmap outbound-config -n default -o jsonpath='{.data.transport}'
echo
echo
log "sending a test mail for someone@demo.example through the relay at $RELAY_SMTP"
swaks --silent 1 --server "$RELAY_SMTP" --from demo@cluster.example --to someone@demo.example \
  --header "Subject: mailroute demo $(date +%s)" --body "routed by mailroute-operator" || log "swaks failed"
for _ in $(seq 1 30); do
  grep -q "status=sent" "$RELAY_DIR/maillog" 2>/dev/null && break
  sleep 1
done
echo "Relay log (where the message went):"
grep -E "to=<someone@demo.example>" "$RELAY_DIR/maillog" | tail -2
echo "The sink at $SINK received:"
grep -E "^(From|To|Subject):" "$RELAY_DIR/sink/received" 2>/dev/null | tail -3 || echo "(nothing yet)"

cat <<MSG

The demo keeps running.
  export KUBECONFIG=$KUBECONFIG
  $KUBECTL get mroute -o wide
  $KUBECTL describe mroute outlook-com
Operator log: $DEMO_STATE/operator.log
Relay: smtp $RELAY_SMTP, status http://$RELAY_STATUS/status, Postfix log $RELAY_DIR/maillog
Send more: swaks --server $RELAY_SMTP --to someone@demo.example
Stop everything: hack/demo.sh stop
MSG
