#!/usr/bin/env bash
# A one-node Kubernetes cluster on this machine, built from Debian's packages and source only: etcd +
# kube-apiserver (hack/control-plane.sh), kube-controller-manager (service-account tokens, StatefulSet and PVC
# controllers, the host-path provisioner behind a default StorageClass), kube-scheduler, a kubelet on a private
# containerd (CRI, hack/containerd.sh), kube-proxy (iptables) for Service addresses, and pod DNS served by knot.
# All Kubernetes binaries are v1.20.2, built once from Debian's `kubernetes` source into $MAILROUTE_CACHE/bin.
#
# Usage: hack/cluster.sh build|start|stop|status|env
#   build   only build/cache the binaries and the pause image (hack/test.sh runs it before the tests)
#   start   start everything (idempotent), wait for the node to be Ready; prints `export ...` lines
#   stop    delete every pod, stop every component and containerd (no shim, container or mount is left), remove the
#           bridge, routes and iptables rules this script made
#   status  exit 0 if the API answers and the node is Ready
#   env     print `export ...` lines: KUBECONFIG, MAILROUTE_KUBECTL, MAILROUTE_CLUSTER_GATEWAY (the bridge address
#           on the host that pods reach), MAILROUTE_CLUSTER_POD_CIDR, MAILROUTE_CLUSTER_SERVICE_CIDR
#
# Network: pods live on the bridge $BRIDGE (10.213.0.0/24, gateway 10.213.0.1 on the host), Services on
# 10.213.1.0/24 (routed onto the same bridge, so an address no rule matches never leaves the machine). Pods may
# not forward anywhere but the bridge (an iptables FORWARD rule), and there is no masquerading: nothing a pod sends
# leaves this machine.
#
# Environment: MAILROUTE_CLUSTER_STATE (default /tmp/mailroute-cluster), MAILROUTE_CACHE (default
# /var/cache/mailroute), MAILROUTE_START_TIMEOUT (seconds for the node to become Ready, default 120),
# MAILROUTE_IMAGES_DIR (default $MAILROUTE_CACHE/images: the relay and operator OCI archives to import).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="${MAILROUTE_CLUSTER_STATE:-/tmp/mailroute-cluster}"
START_TIMEOUT="${MAILROUTE_START_TIMEOUT:-120}"
BIN="$MAILROUTE_CACHE/bin"
NODE=mailroute-node
BRIDGE=mrbr0
POD_CIDR=10.213.0.0/24
GATEWAY=10.213.0.1
SERVICE_CIDR=10.213.1.0/24
DNS_IP=$GATEWAY
KUBELET_ROOT=/var/lib/mailroute-kubelet
HOSTPATH_PV_DIR=/tmp/hostpath_pv
# Where the image archives come from (hack/build-images.sh writes them to $MAILROUTE_CACHE/images, shared by every
# work tree on the machine; point this at a private copy to pin what the cluster runs).
IMAGES_DIR="${MAILROUTE_IMAGES_DIR:-$MAILROUTE_CACHE/images}"
CP_STATE="$STATE/control-plane"
DNS_DIR="$STATE/dns"
ENV_FILE="$STATE/env"
COMPONENTS="kube-controller-manager kube-scheduler kubelet kube-proxy"
IPT_COMMENT="mailroute-cluster"

export MAILROUTE_CONTAINERD_RUN=/run/mailroute-cluster/containerd
export MAILROUTE_CONTAINERD_ROOT="$MAILROUTE_CACHE/cluster-containerd/root"
CTRD_SOCKET="$MAILROUTE_CONTAINERD_RUN/containerd.sock"
CNI_CONF_DIR="$MAILROUTE_CONTAINERD_RUN/cni/net.d"

usage() {
  sed -n '8,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

lock_state() {
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  exec 8>"$STATE/.lock"
  flock -w 900 8 || die "timed out waiting for the lock on $STATE"
}

alive() {
  local st
  [ -n "${1:-}" ] && [ -r "/proc/$1/status" ] || return 1
  st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# Every component we start carries --v=... and an argument naming our state dir (its kubeconfig).
marker() { echo "--kubeconfig=$STATE/kubeconfig"; }

# pids_of NAME : our processes of that kind (binary from our cache, our kubeconfig on the command line).
pids_of() {
  local name=$1 f pid a0
  for f in $(grep -lzFx -- "$(marker)" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    alive "$pid" || continue
    a0=""
    IFS= read -r -d '' a0 2>/dev/null <"/proc/$pid/cmdline" || continue
    [ "$a0" = "$BIN/$name" ] && echo "$pid"
  done
  return 0
}

running() { [ -n "$(pids_of "$1")" ]; }

kill_all() {
  local name=$1 pids pid deadline
  pids=$(pids_of "$name")
  [ -n "$pids" ] || return 0
  log "stopping $name (pid $(tr '\n' ' ' <<<"$pids" | sed 's/ $//'))"
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 20 ))
  for pid in $pids; do
    while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      alive "$pid" && die "could not stop $name pid $pid"
    fi
  done
  rm -f "$STATE/$name.pid"
}

launch() {
  local name=$1 pid
  shift
  [ -f "$STATE/$name.log" ] && mv -f "$STATE/$name.log" "$STATE/$name.log.prev"
  ( exec setsid "$@" </dev/null >"$STATE/$name.log" 2>&1 8>&- 9>&- ) &
  pid=$!
  echo "$pid" >"$STATE/$name.pid"
  log "started $name (pid $pid, log $STATE/$name.log)"
}

kubectl_() { "$KUBECTL" --kubeconfig "$STATE/kubeconfig" --request-timeout=10s "$@"; }

# ---------------------------------------------------------------------------------------------
# binaries and images

build_node_binaries() {
  local missing="" c tree built
  for c in $COMPONENTS; do [ -x "$BIN/$c" ] || missing="$missing cmd/$c"; done
  [ -n "$missing" ] || return 0
  # build-kube-apiserver.sh downloads, unpacks and patches the source tree (and builds the API server).
  flock "$MAILROUTE_CACHE/.build.lock" "$REPO_ROOT/hack/build-kube-apiserver.sh" >/dev/null 9>&- 8>&-
  tree="$MAILROUTE_CACHE/kubernetes-src/tree"
  log "building${missing} from $tree (one-off, about 12 minutes of CPU)"
  (
    cd "$tree/.go/src/k8s.io/kubernetes"
    GOPATH="$tree/.go" GO111MODULE=off GOFLAGS= GOCACHE="$MAILROUTE_CACHE/gocache" \
      KUBE_GIT_VERSION=v1.20.2 KUBE_BUILD_PLATFORMS=linux/amd64 \
      flock "$MAILROUTE_CACHE/.build.lock" make WHAT="${missing# }" >"$STATE/node-build.log" 2>&1 8>&- 9>&-
  ) || { tail -40 "$STATE/node-build.log" >&2; die "building${missing} failed"; }
  for c in $COMPONENTS; do
    [ -x "$BIN/$c" ] && continue
    built=$(find "$tree/_output" -type f -name "$c" -perm -u+x | head -1)
    [ -n "$built" ] || die "$c not found after the build"
    cp "$built" "$BIN/$c.tmp" && mv -f "$BIN/$c.tmp" "$BIN/$c"
  done
}

# The pod sandbox image: the kubernetes tree's build/pause/linux/pause.c, linked statically, as the only file of an
# OCI image (written by hand: no registry, no Docker).
build_pause_image() {
  local out="$MAILROUTE_CACHE/images/pause-3.6.oci.tar" src tmp
  [ -s "$out" ] && return 0
  src="$MAILROUTE_CACHE/kubernetes-src/tree/build/pause/linux/pause.c"
  [ -f "$src" ] || die "no $src (hack/build-kube-apiserver.sh unpacks the source tree)"
  tmp=$(mktemp -d)
  gcc -Os -Wall -static -DVERSION=v3.6-mailroute -o "$tmp/pause" "$src"
  strip "$tmp/pause"
  python3 - "$tmp" "$out" <<'PY'
import hashlib, io, json, os, sys, tarfile
tmp, out = sys.argv[1], sys.argv[2]
def blob(t, data):
    d = hashlib.sha256(data).hexdigest()
    ti = tarfile.TarInfo("blobs/sha256/" + d); ti.size = len(data); ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data)); return "sha256:" + d, len(data)
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as lt:
    ti = lt.gettarinfo(os.path.join(tmp, "pause"), "pause"); ti.uid = ti.gid = 0; ti.uname = ti.gname = ""; ti.mtime = 0
    with open(os.path.join(tmp, "pause"), "rb") as f: lt.addfile(ti, f)
layer = layer.getvalue()
with tarfile.open(out + ".tmp", "w") as t:
    ld, ls = blob(t, layer)
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": ["/pause"], "User": "65535:65535"},
        "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
    cd, cs = blob(t, cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}).encode()
    md, ms = blob(t, man)
    idx = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "docker.io/mailroute/pause:3.6"}}]}).encode()
    for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", idx)):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644; t.addfile(ti, io.BytesIO(data))
os.rename(out + ".tmp", out)
PY
  rm -rf "$tmp"
  log "pause image written to $out"
}

install_deps() {
  apt_install iptables conntrack gcc libc6-dev containernetworking-plugins knot knot-dnsutils iproute2 kmod
  build_node_binaries
  build_pause_image
  local f
  for f in postfix-relay-0.1.0 operator-0.1.0; do
    [ -s "$IMAGES_DIR/$f.oci.tar" ] || die "no $IMAGES_DIR/$f.oci.tar: run hack/build-images.sh first"
  done
}

# ---------------------------------------------------------------------------------------------
# network

ipt_all() { iptables -w 5 "$@"; }

network_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$GATEWAY/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Service addresses no kube-proxy rule matches go onto the bridge (and die there), never to the default route.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE"
  sysctl -qw net.ipv4.ip_forward=1 || log "could not enable ip_forward (pods still reach the host)"
  modprobe br_netfilter 2>/dev/null || true
  [ -w /proc/sys/net/bridge/bridge-nf-call-iptables ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1 || true
  # Pods forward only onto their own bridge.
  ipt_all -C FORWARD -s "$POD_CIDR" ! -o "$BRIDGE" -m comment --comment "$IPT_COMMENT" -j DROP 2>/dev/null \
    || ipt_all -I FORWARD 1 -s "$POD_CIDR" ! -o "$BRIDGE" -m comment --comment "$IPT_COMMENT" -j DROP
  mkdir -p "$CNI_CONF_DIR"
  cat >"$CNI_CONF_DIR/10-mailroute.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "mailroute",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni-ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

# Deletes iptables rules and chains left by kubelet, kube-proxy, CNI and this script (IPv4 and IPv6).
iptables_cleanup() {
  local cmd table rule chain
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle; do
      # rules in any chain that jump to a KUBE-/CNI- chain or carry our comment
      { "$cmd-save" -t "$table" 2>/dev/null || true; } \
        | awk -v c="$IPT_COMMENT" -v b="$BRIDGE" '/^-A / && !/^-A (KUBE-|CNI-)/ && (/-j (KUBE-|CNI-)/ || index($0, c) || index($0, "-o " b " ") || index($0, "-i " b " "))' \
        | while IFS= read -r rule; do
          eval "$cmd -w 5 -t $table -D ${rule#-A }" 2>/dev/null || true
        done
      for chain in $("$cmd-save" -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
        "$cmd" -w 5 -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$cmd-save" -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
        "$cmd" -w 5 -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

network_down() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-' || true); do
    # namespaces on our pod network, and orphans whose veth went with the bridge (only lo left; containerd's CRI
    # names them cni-*, and only this cluster's containerd runs CRI pods on this machine)
    if ip netns exec "$ns" ip -4 addr 2>/dev/null | grep -q "inet 10\.213\.0\." \
      || [ "$(ip netns exec "$ns" ip -o link 2>/dev/null | grep -vc ': lo:')" = 0 ]; then
      ip netns delete "$ns" 2>/dev/null || true
    fi
  done
  ip route del "$SERVICE_CIDR" dev "$BRIDGE" 2>/dev/null || true
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    local v
    for v in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip link del "$v" 2>/dev/null || true
    done
    ip link del "$BRIDGE" 2>/dev/null || true
  fi
  iptables_cleanup
  rm -rf "$STATE/cni-ipam" "$CNI_CONF_DIR/10-mailroute.conflist"
}

# ---------------------------------------------------------------------------------------------
# DNS: knot answers the test zones (src/test/resources/dns) on the gateway, port 53, as the pods' nameserver.

dns_start() {
  local zones="$REPO_ROOT/src/test/resources/dns"
  rm -rf "$DNS_DIR"
  mkdir -p "$DNS_DIR/run" "$DNS_DIR/db" "$DNS_DIR/zones"
  cp "$zones"/*.zone "$DNS_DIR/zones/"
  sed -e "s#@STATE_DIR@#$DNS_DIR#g" -e "s#@LISTEN@#$DNS_IP@53#g" "$zones/knot.conf.template" >"$DNS_DIR/knot.conf"
  launch knotd "$(command -v knotd || echo /usr/sbin/knotd)" -c "$DNS_DIR/knot.conf"
  local n=50
  until kdig "@$DNS_IP" +retry=0 +timeout=1 +norecurse SOA mx.test 2>/dev/null | grep -q 'status: NOERROR'; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || { tail -5 "$STATE/knotd.log" >&2; die "knotd does not answer on $DNS_IP:53"; }
    sleep 0.2
  done
}

dns_stop() {
  local pid
  pid=$(cat "$STATE/knotd.pid" 2>/dev/null || true)
  if alive "$pid" && grep -zq "$DNS_DIR/knot.conf" "/proc/$pid/cmdline"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$DNS_DIR" "$STATE/knotd.pid"
}

# ---------------------------------------------------------------------------------------------

node_ready() {
  [ "$(kubectl_ get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

healthy() {
  [ -f "$ENV_FILE" ] || return 1
  local c
  for c in $COMPONENTS; do running "$c" || return 1; done
  MAILROUTE_STATE="$CP_STATE" "$REPO_ROOT/hack/control-plane.sh" status >/dev/null 2>&1 || return 1
  KUBECTL=$(. "$ENV_FILE"; echo "$MAILROUTE_KUBECTL")
  node_ready
}

fail() {
  local f
  log "ERROR: $*"
  for f in kubelet kube-controller-manager kube-scheduler kube-proxy; do
    if [ -s "$STATE/$f.log" ]; then
      printf '\n----- last lines of %s -----\n' "$STATE/$f.log" >&2
      grep -E '^[EF][0-9]{4}' "$STATE/$f.log" | tail -n 15 >&2 || true
      tail -n 5 "$STATE/$f.log" >&2
    fi
  done
  stop_all || true
  exit 1
}

start_components() {
  local kcm_port sched_port kubelet_port kubelet_hz proxy_hz proxy_metrics
  kcm_port=$(free_port); sched_port=$(free_port); kubelet_port=$(free_port); kubelet_hz=$(free_port)
  proxy_hz=$(free_port); proxy_metrics=$(free_port)

  launch kube-controller-manager "$BIN/kube-controller-manager" \
    "--kubeconfig=$STATE/kubeconfig" \
    "--authentication-kubeconfig=$STATE/kubeconfig" "--authorization-kubeconfig=$STATE/kubeconfig" \
    --port=0 --bind-address=127.0.0.1 "--secure-port=$kcm_port" \
    "--service-account-private-key-file=$CP_STATE/sa.key" "--root-ca-file=$CP_STATE/ca.crt" \
    "--service-cluster-ip-range=$SERVICE_CIDR" \
    --use-service-account-credentials=false \
    --leader-elect=false \
    --enable-hostpath-provisioner=true \
    --controllers='*,-nodeipam,-cloud-node-lifecycle,-service,-route' \
    --node-monitor-grace-period=40s --pod-eviction-timeout=5m \
    --v=1

  launch kube-scheduler "$BIN/kube-scheduler" \
    "--kubeconfig=$STATE/kubeconfig" \
    "--authentication-kubeconfig=$STATE/kubeconfig" "--authorization-kubeconfig=$STATE/kubeconfig" \
    --port=0 --bind-address=127.0.0.1 "--secure-port=$sched_port" \
    --leader-elect=false --v=1

  mkdir -p "$KUBELET_ROOT" "$STATE/kubelet-certs"
  printf 'nameserver %s\n' "$DNS_IP" >"$STATE/resolv.conf"
  launch kubelet "$BIN/kubelet" \
    "--kubeconfig=$STATE/kubeconfig" \
    "--hostname-override=$NODE" "--node-ip=$GATEWAY" \
    --container-runtime=remote "--container-runtime-endpoint=unix://$CTRD_SOCKET" \
    --runtime-request-timeout=5m \
    --cgroup-driver=cgroupfs --cgroups-per-qos=false --enforce-node-allocatable= --fail-swap-on=false \
    "--root-dir=$KUBELET_ROOT" "--cert-dir=$STATE/kubelet-certs" \
    --address=0.0.0.0 "--port=$kubelet_port" --read-only-port=0 \
    --healthz-bind-address=127.0.0.1 "--healthz-port=$kubelet_hz" \
    "--cluster-dns=$DNS_IP" --cluster-domain=cluster.local "--resolv-conf=$STATE/resolv.conf" \
    --anonymous-auth=true --authorization-mode=AlwaysAllow \
    --eviction-hard='memory.available<100Mi,nodefs.available<1%,imagefs.available<1%' \
    --image-gc-high-threshold=100 --image-gc-low-threshold=99 \
    --serialize-image-pulls=false \
    --v=1

  launch kube-proxy "$BIN/kube-proxy" \
    "--kubeconfig=$STATE/kubeconfig" \
    "--hostname-override=$NODE" --proxy-mode=iptables "--cluster-cidr=$POD_CIDR" \
    "--healthz-bind-address=127.0.0.1:$proxy_hz" "--metrics-bind-address=127.0.0.1:$proxy_metrics" \
    --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
    --v=1
}

cmd_start() {
  lock_state
  if healthy; then
    log "already running"
    cat "$ENV_FILE"
    return 0
  fi
  stop_all
  install_deps
  local t0 deadline c
  t0=$(date +%s.%N)

  network_up
  "$REPO_ROOT/hack/containerd.sh" start >/dev/null 8>&-
  "$REPO_ROOT/hack/containerd.sh" import "$MAILROUTE_CACHE/images/pause-3.6.oci.tar" \
    "$IMAGES_DIR/postfix-relay-0.1.0.oci.tar" "$IMAGES_DIR/operator-0.1.0.oci.tar" 8>&-
  dns_start

  # The API server listens on all addresses (pods reach it through the "kubernetes" Service, whose endpoint is the
  # gateway), and reaches kubelets by node IP.
  export MAILROUTE_APISERVER_ARGS="--bind-address=0.0.0.0 --advertise-address=$GATEWAY --endpoint-reconciler-type=lease --service-cluster-ip-range=$SERVICE_CIDR --kubelet-preferred-address-types=InternalIP --service-node-port-range=30000-30100"
  MAILROUTE_API_HOST=$GATEWAY MAILROUTE_STATE="$CP_STATE" "$REPO_ROOT/hack/control-plane.sh" start >"$STATE/control-plane.env" 8>&- \
    || fail "control plane did not start"
  # shellcheck disable=SC1091
  KUBECTL=$(. "$STATE/control-plane.env"; echo "$MAILROUTE_KUBECTL")
  cp "$CP_STATE/kubeconfig" "$STATE/kubeconfig"

  start_components
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until node_ready; do
    for c in $COMPONENTS; do running "$c" || fail "$c exited during startup"; done
    [ "$(date +%s)" -lt "$deadline" ] || fail "node $NODE not Ready after ${START_TIMEOUT}s"
    sleep 1
  done
  kubectl_ apply -f - >/dev/null <<EOF || fail "could not create the default StorageClass"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: hostpath
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
  {
    printf 'export KUBECONFIG=%q\n' "$STATE/kubeconfig"
    printf 'export MAILROUTE_KUBECTL=%q\n' "$KUBECTL"
    printf 'export MAILROUTE_CLUSTER_GATEWAY=%q\n' "$GATEWAY"
    printf 'export MAILROUTE_CLUSTER_POD_CIDR=%q\n' "$POD_CIDR"
    printf 'export MAILROUTE_CLUSTER_SERVICE_CIDR=%q\n' "$SERVICE_CIDR"
    printf 'export MAILROUTE_CLUSTER_DNS=%q\n' "$DNS_IP"
  } >"$ENV_FILE.tmp"
  mv -f "$ENV_FILE.tmp" "$ENV_FILE"
  log "cluster ready (node $NODE Ready) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')s (state $STATE)"
  cat "$ENV_FILE"
}

# Removes every pod so the kubelet tears down their sandboxes (CNI DEL, volume unmounts) while it still runs.
drain_pods() {
  [ -n "${KUBECTL:-}" ] || return 0
  running kubelet || return 0
  kubectl_ delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1 || return 0
  local deadline=$(( $(date +%s) + 60 ))
  while [ -n "$(ctr --address "$CTRD_SOCKET" -n k8s.io tasks ls -q 2>/dev/null)" ] && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 1
  done
}

stop_all() {
  local m
  KUBECTL=""
  [ -f "$STATE/control-plane.env" ] && KUBECTL=$(. "$STATE/control-plane.env" 2>/dev/null; echo "${MAILROUTE_KUBECTL:-}")
  # Nothing may recreate pods while they are deleted.
  kill_all kube-controller-manager
  kill_all kube-scheduler
  drain_pods
  kill_all kubelet
  kill_all kube-proxy
  if [ -x "$BIN/kube-proxy" ]; then "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  "$REPO_ROOT/hack/containerd.sh" stop 8>&- 2>&1 | grep -v '^$' >&2 || true
  # The kubelet bind-mounts its root dir onto itself (and volumes, tokens, sandboxes' shm below it).
  for m in $(awk -v k="$KUBELET_ROOT" -v r="$MAILROUTE_CONTAINERD_RUN/" \
    '$5 == k || index($5, k "/") == 1 || index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -ru); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$KUBELET_ROOT" || log "could not remove $KUBELET_ROOT"
  # Container logs the kubelet keeps in its fixed log dirs (no other kubelet runs on these machines).
  rm -rf /var/log/pods/* /var/log/containers/* 2>/dev/null || true
  MAILROUTE_STATE="$CP_STATE" "$REPO_ROOT/hack/control-plane.sh" stop 8>&- || true
  dns_stop
  network_down
  rm -rf "$HOSTPATH_PV_DIR" "$ENV_FILE" "$ENV_FILE.tmp"
}

cmd_stop() {
  lock_state
  stop_all
  log "cluster stopped (logs kept in $STATE)"
}

cmd_status() {
  if healthy; then
    log "running, node $NODE Ready"
    return 0
  fi
  log "not running (or node not Ready)"
  return 1
}

cmd_env() {
  healthy || die "cluster not running; start it with: $0 start"
  cat "$ENV_FILE"
}

case "${1:-}" in
  build) mkdir -p "$STATE"; install_deps ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) usage ;;
esac
