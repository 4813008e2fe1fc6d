#!/usr/bin/env bash
# A local Kubernetes control plane for tests and development: Debian's etcd plus kube-apiserver
# v1.20.2 (built from Debian's source package by hack/build-kube-apiserver.sh). There are no nodes,
# no kube-controller-manager and no scheduler: only the API, which is all the operator talks to.
#
# Usage: hack/control-plane.sh start|stop|status|env
#   start   start etcd + kube-apiserver on free 127.0.0.1 ports (idempotent); prints `export ...` lines
#   stop    stop both, wait for them to exit, delete the etcd data (the next start is a fresh cluster)
#   status  exit 0 if running and healthy
#   env     print `export ...` lines for eval: KUBECONFIG, MAILROUTE_API_URL, MAILROUTE_API_TOKEN,
#           MAILROUTE_API_CA_FILE, MAILROUTE_KUBECTL
#
#   eval "$(hack/control-plane.sh start)"; "$MAILROUTE_KUBECTL" get ns; hack/control-plane.sh stop
#
# Environment: MAILROUTE_STATE (default /tmp/mailroute-control-plane: logs, pids, certs, kubeconfig),
# MAILROUTE_CACHE (default /var/cache/mailroute: the built kube-apiserver), MAILROUTE_START_TIMEOUT
# (seconds, default 120, not counting installation and the one-off build), MAILROUTE_APISERVER_ARGS (extra
# kube-apiserver flags, split on spaces, appended last so they win; hack/cluster.sh uses it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="${MAILROUTE_STATE:-/tmp/mailroute-control-plane}"
START_TIMEOUT="${MAILROUTE_START_TIMEOUT:-120}"
APISERVER_BIN="$MAILROUTE_CACHE/bin/kube-apiserver"
ETCD_BIN=/usr/bin/etcd
ETCD_DATA="$STATE/etcd-data"
CERT_DIR="$STATE/certs"
CA_FILE="$STATE/ca.crt"
ENV_FILE="$STATE/env"
KUBECONFIG_FILE="$STATE/kubeconfig"
KUBECTL=""

usage() {
  sed -n '6,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Serialises start/stop/status/env on one state dir. The fd is closed for the daemons (9>&-).
lock_state() {
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 900 9 || die "timed out waiting for the lock on $STATE (another start/stop running?)"
}

# ---------------------------------------------------------------------------------------------
# processes

# marker NAME : an argument only our own process of that kind carries (it names our state dir).
marker() {
  case "$1" in
    etcd) echo "--data-dir=$ETCD_DATA" ;;
    kube-apiserver) echo "--cert-dir=$CERT_DIR" ;;
  esac
}

# alive PID : the process exists and is not a zombie.
alive() {
  local st
  [ -n "${1:-}" ] && [ -r "/proc/$1/status" ] || return 1
  st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# ours NAME PID : PID is alive and is our etcd/kube-apiserver (its binary, our state dir), so a
# recycled pid or another copy using a different state dir is never touched.
ours() {
  local name=$1 pid=$2 bin a0=""
  alive "$pid" || return 1
  case "$name" in
    etcd) bin=$ETCD_BIN ;;
    kube-apiserver) bin=$APISERVER_BIN ;;
  esac
  IFS= read -r -d '' a0 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [ "$a0" = "$bin" ] || return 1
  grep -zFxq -- "$(marker "$name")" "/proc/$pid/cmdline" 2>/dev/null
}

# pids_of NAME : our processes of that kind: the pid file's, plus strays (e.g. a start that was
# killed before writing its pid file), found by the marker argument.
pids_of() {
  local name=$1 pid f
  {
    if [ -f "$STATE/$name.pid" ]; then
      pid=$(cat "$STATE/$name.pid" 2>/dev/null || true)
      if ours "$name" "$pid"; then echo "$pid"; fi
    fi
    for f in $(grep -lzFx -- "$(marker "$name")" /proc/[0-9]*/cmdline 2>/dev/null || true); do
      pid=${f#/proc/}
      pid=${pid%/cmdline}
      if ours "$name" "$pid"; then echo "$pid"; fi
    done
  } | sort -u
}

# launched NAME : the pid-file process we just launched is still alive. Right after launch() it may
# still be the forking subshell, not yet exec'd into the daemon (seen on a loaded machine: a start
# failed as "exited during startup" with an empty log), so `running` would wrongly say it died.
launched() {
  local pid
  [ -f "$STATE/$1.pid" ] || return 1
  pid=$(cat "$STATE/$1.pid" 2>/dev/null || true)
  [ -n "$pid" ] && alive "$pid"
}

# running NAME : the pid-file process is up.
running() {
  local pid
  [ -f "$STATE/$1.pid" ] || return 1
  pid=$(cat "$STATE/$1.pid" 2>/dev/null || true)
  ours "$1" "$pid"
}

# kill_all NAME : SIGTERM, wait up to 20s, then SIGKILL; returns once they are gone.
kill_all() {
  local name=$1 pids pid deadline
  pids=$(pids_of "$name")
  if [ -n "$pids" ]; then
    log "stopping $name (pid $(tr '\n' ' ' <<<"$pids" | sed 's/ $//'))"
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$(( $(date +%s) + 20 ))
    for pid in $pids; do
      while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
      if alive "$pid"; then
        log "$name pid $pid ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        local tries=50
        while alive "$pid" && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
        alive "$pid" && die "could not stop $name pid $pid"
      fi
    done
  fi
  rm -f "$STATE/$name.pid"
}

stop_processes() {
  kill_all kube-apiserver
  kill_all etcd
}

# launch NAME BIN ARGS... : starts a daemon in its own session, logging to $STATE/NAME.log.
launch() {
  local name=$1 pid
  shift
  [ -f "$STATE/$name.log" ] && mv -f "$STATE/$name.log" "$STATE/$name.log.prev"
  (
    # etcd reads ETCD_* variables too; a stray one from the caller must not change its setup.
    for v in $(compgen -e); do case $v in ETCD_*) unset "$v" ;; esac; done
    exec setsid "$@" </dev/null >"$STATE/$name.log" 2>&1 9>&-
  ) &
  pid=$!
  echo "$pid" >"$STATE/$name.pid"
  log "started $name (pid $pid, log $STATE/$name.log)"
}

# fail MSG : prints the end of both logs, stops whatever was started, exits 1.
fail() {
  local f
  log "ERROR: $*"
  for f in etcd kube-apiserver; do
    if [ -s "$STATE/$f.log" ]; then
      printf '\n----- last lines of %s -----\n' "$STATE/$f.log" >&2
      tail -n 30 "$STATE/$f.log" >&2
    fi
  done
  echo >&2
  stop_processes || true
  rm -rf "$ETCD_DATA" "$ENV_FILE" "$ENV_FILE.tmp" "$KUBECONFIG_FILE" "$STATE/tokens.csv"
  exit 1
}

# ---------------------------------------------------------------------------------------------
# health

# api_get PATH : prints the HTTP status of an authenticated, CA-verified GET; fails with curl's exit code.
api_get() {
  # shellcheck disable=SC1090
  (
    source "$ENV_FILE.tmp" 2>/dev/null || source "$ENV_FILE"
    curl -sS --max-time 5 -o /dev/null -w '%{http_code}' --cacert "$MAILROUTE_API_CA_FILE" \
      -H "Authorization: Bearer $MAILROUTE_API_TOKEN" "$MAILROUTE_API_URL$1" 2>/dev/null
  )
}

healthy() {
  running etcd && running kube-apiserver && [ -f "$ENV_FILE" ] && [ -f "$KUBECONFIG_FILE" ] || return 1
  [ "$(api_get /readyz 2>/dev/null)" = 200 ]
}

# ---------------------------------------------------------------------------------------------
# installation

# ensure_kubectl : sets KUBECTL to a kubectl 1.20 (Debian's kubernetes-client).
ensure_kubectl() {
  local owner tmp
  owner=$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | cut -d: -f1 || true)
  if [ "$owner" = kubernetes-client ] || [ ! -e /usr/bin/kubectl ]; then
    apt_install kubernetes-client
    KUBECTL=/usr/bin/kubectl
    return
  fi
  # Something else (e.g. the Google Cloud SDK's `kubectl` package) owns /usr/bin/kubectl and would
  # make kubernetes-client fail to install. Leave it alone; unpack Debian's kubectl into the cache.
  KUBECTL="$MAILROUTE_CACHE/bin/kubectl"
  [ -x "$KUBECTL" ] && return
  log "/usr/bin/kubectl belongs to '${owner:-no package}'; unpacking kubernetes-client into $MAILROUTE_CACHE/bin"
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  if id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  if ! (cd "$tmp" && apt-get download -qq kubernetes-client >/dev/null 2>&1); then
    apt-get update -qq >/dev/null
    (cd "$tmp" && apt-get download -qq kubernetes-client >/dev/null) || { rm -rf "$tmp"; die "apt-get download kubernetes-client failed"; }
  fi
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/root"
  mkdir -p "$MAILROUTE_CACHE/bin"
  install -m 755 "$tmp/root/usr/bin/kubectl" "$KUBECTL.tmp"
  mv -f "$KUBECTL.tmp" "$KUBECTL"
  rm -rf "$tmp"
}

install_deps() {
  local policy=/usr/sbin/policy-rc.d
  # etcd-server's postinst starts a system etcd on 2379 via invoke-rc.d. We never use 2379, but a
  # stray daemon is unwanted: deny service starts for the install unless a policy already exists.
  if [ ! -e "$policy" ] && ! dpkg-query -W -f='${Status}' etcd-server 2>/dev/null | grep -q "install ok installed"; then
    trap 'rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    apt_install etcd-server
    rm -f "$policy"
    trap - EXIT
  fi
  apt_install etcd-server openssl curl python3
  [ -x "$ETCD_BIN" ] || die "$ETCD_BIN missing after installing etcd-server"
  ensure_kubectl
  if [ ! -x "$APISERVER_BIN" ]; then
    log "kube-apiserver not cached at $APISERVER_BIN: building it (one-off, several minutes)"
    mkdir -p "$MAILROUTE_CACHE"
    flock "$MAILROUTE_CACHE/.build.lock" "$REPO_ROOT/hack/build-kube-apiserver.sh" >/dev/null 9>&-
    [ -x "$APISERVER_BIN" ] || die "build did not produce $APISERVER_BIN"
  fi
}

# ---------------------------------------------------------------------------------------------
# credentials

prepare_credentials() {
  mkdir -p "$CERT_DIR"
  # Service-account token signing key (kept across restarts).
  if [ ! -s "$STATE/sa.key" ] || [ ! -s "$STATE/sa.pub" ]; then
    openssl genrsa -out "$STATE/sa.key.tmp" 2048 2>/dev/null
    openssl rsa -in "$STATE/sa.key.tmp" -pubout -out "$STATE/sa.pub" 2>/dev/null
    mv -f "$STATE/sa.key.tmp" "$STATE/sa.key"
  fi
  # kube-apiserver writes a self-signed CA + serving cert into --cert-dir when there is none; drop a
  # pair that expires within a day so it makes a new one.
  if [ -f "$CERT_DIR/apiserver.crt" ] && ! openssl x509 -checkend 86400 -noout -in "$CERT_DIR/apiserver.crt" >/dev/null 2>&1; then
    rm -f "$CERT_DIR/apiserver.crt" "$CERT_DIR/apiserver.key"
  fi
  # A new admin token for every fresh cluster; group system:masters bypasses RBAC.
  TOKEN=$(openssl rand -hex 32)
  (umask 077; printf '%s,mailroute-admin,mailroute-admin,"system:masters"\n' "$TOKEN" >"$STATE/tokens.csv")
}

# extract_ca : writes the CA of the generated serving cert (the file holds the cert, then its CA).
extract_ca() {
  local crt="$CERT_DIR/apiserver.crt" tmp f ca=""
  tmp=$(mktemp -d)
  awk -v d="$tmp" '/-----BEGIN CERTIFICATE-----/ {n++} n {print > (d "/" n ".pem")}' "$crt"
  for f in "$tmp"/*.pem; do
    [ -f "$f" ] || continue
    if openssl x509 -noout -ext basicConstraints -in "$f" 2>/dev/null | grep -q "CA:TRUE"; then ca=$f; fi
  done
  if [ -n "$ca" ] && openssl verify -CAfile "$ca" "$tmp/1.pem" >/dev/null 2>&1; then
    cp "$ca" "$CA_FILE.tmp"
  else
    # No separate CA: trust the self-signed serving cert itself.
    cp "$crt" "$CA_FILE.tmp"
  fi
  mv -f "$CA_FILE.tmp" "$CA_FILE"
  rm -rf "$tmp"
}

write_env() {
  local url=$1 file=$2
  {
    printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_FILE"
    printf 'export MAILROUTE_API_URL=%q\n' "$url"
    printf 'export MAILROUTE_API_TOKEN=%q\n' "$TOKEN"
    printf 'export MAILROUTE_API_CA_FILE=%q\n' "$CA_FILE"
    printf 'export MAILROUTE_KUBECTL=%q\n' "$KUBECTL"
  } >"$file"
  chmod 600 "$file"
}

write_kubeconfig() {
  local url=$1
  (
    umask 077
    cat >"$KUBECONFIG_FILE.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: mailroute
  cluster:
    server: $url
    certificate-authority-data: $(base64 -w0 "$CA_FILE")
users:
- name: mailroute-admin
  user:
    token: $TOKEN
contexts:
- name: mailroute
  context:
    cluster: mailroute
    user: mailroute-admin
    namespace: default
current-context: mailroute
KC
  )
  mv -f "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_start() {
  lock_state
  if healthy; then
    log "already running: $(grep MAILROUTE_API_URL "$ENV_FILE" | cut -d= -f2-)"
    cat "$ENV_FILE"
    return 0
  fi
  # Whatever is left over (a crashed half, stale pids) goes; the new cluster starts empty.
  stop_processes
  rm -rf "$ETCD_DATA" "$ENV_FILE" "$ENV_FILE.tmp" "$KUBECONFIG_FILE"
  install_deps

  local t0 deadline etcd_port peer_port api_port url code rc
  t0=$(date +%s.%N)
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  prepare_credentials
  etcd_port=$(free_port)
  peer_port=$(free_port)
  while [ "$peer_port" = "$etcd_port" ]; do peer_port=$(free_port); done
  api_port=$(free_port)
  while [ "$api_port" = "$etcd_port" ] || [ "$api_port" = "$peer_port" ]; do api_port=$(free_port); done

  launch etcd "$ETCD_BIN" \
    --name=mailroute \
    "--data-dir=$ETCD_DATA" \
    "--listen-client-urls=http://127.0.0.1:$etcd_port" \
    "--advertise-client-urls=http://127.0.0.1:$etcd_port" \
    "--listen-peer-urls=http://127.0.0.1:$peer_port" \
    "--initial-advertise-peer-urls=http://127.0.0.1:$peer_port" \
    "--initial-cluster=mailroute=http://127.0.0.1:$peer_port" \
    --initial-cluster-state=new \
    --logger=zap --log-outputs=stderr
  until curl -fsS --max-time 2 "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"'; do
    launched etcd || fail "etcd exited during startup"
    [ "$(date +%s)" -lt "$deadline" ] || fail "etcd not healthy after ${START_TIMEOUT}s"
    sleep 0.2
  done

  # --endpoint-reconciler-type=none: the "kubernetes" Service still exists, but its Endpoints would
  # be 127.0.0.1, which validation rejects ("may not be in the loopback range"), logged every 10s.
  launch kube-apiserver "$APISERVER_BIN" \
    "--etcd-servers=http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    "--secure-port=$api_port" \
    --insecure-port=0 \
    "--cert-dir=$CERT_DIR" \
    "--token-auth-file=$STATE/tokens.csv" \
    --authorization-mode=RBAC \
    "--service-account-key-file=$STATE/sa.pub" \
    "--service-account-signing-key-file=$STATE/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range=10.96.0.0/24 \
    --allow-privileged=true \
    --endpoint-reconciler-type=none \
    ${MAILROUTE_APISERVER_ARGS:-}

  # MAILROUTE_API_HOST: the address clients use; it must be in the generated serving cert (hack/cluster.sh
  # advertises the bridge gateway, and the cert then names that address, not 127.0.0.1).
  url="https://${MAILROUTE_API_HOST:-127.0.0.1}:$api_port"
  # The cert is written before the key, so once the key exists the cert is complete.
  until [ -s "$CERT_DIR/apiserver.crt" ] && [ -s "$CERT_DIR/apiserver.key" ]; do
    launched kube-apiserver || fail "kube-apiserver exited during startup"
    [ "$(date +%s)" -lt "$deadline" ] || fail "kube-apiserver wrote no serving cert after ${START_TIMEOUT}s"
    sleep 0.2
  done
  extract_ca
  write_env "$url" "$ENV_FILE.tmp"

  # /readyz includes etcd and the post-start hooks (RBAC bootstrap roles, CRD informers, ...).
  while :; do
    rc=0
    code=$(api_get /readyz) || rc=$?
    [ "$rc" -eq 0 ] && [ "$code" = 200 ] && break
    case "$rc" in
      35 | 51 | 58 | 60) fail "TLS to $url does not verify against $CA_FILE (curl exit code $rc)" ;;
    esac
    launched kube-apiserver || fail "kube-apiserver exited during startup"
    launched etcd || fail "etcd exited during startup"
    [ "$(date +%s)" -lt "$deadline" ] || fail "kube-apiserver not ready after ${START_TIMEOUT}s (last /readyz: ${code:-none})"
    sleep 0.25
  done
  # The bootstrap controller creates default/kube-system/kube-public shortly after readiness.
  until [ "$(api_get /api/v1/namespaces/default)" = 200 ]; do
    launched kube-apiserver || fail "kube-apiserver exited during startup"
    [ "$(date +%s)" -lt "$deadline" ] || fail "namespace 'default' not created after ${START_TIMEOUT}s"
    sleep 0.25
  done

  write_kubeconfig "$url"
  mv -f "$ENV_FILE.tmp" "$ENV_FILE"
  log "control plane ready at $url in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')s (state $STATE)"
  cat "$ENV_FILE"
}

cmd_stop() {
  lock_state
  stop_processes
  rm -rf "$ETCD_DATA" "$ENV_FILE" "$ENV_FILE.tmp" "$KUBECONFIG_FILE" "$STATE/tokens.csv"
  log "control plane stopped (logs kept in $STATE)"
}

# status and env take no lock: they only read files that are replaced atomically.
cmd_status() {
  if healthy; then
    log "running and healthy: $(grep MAILROUTE_API_URL "$ENV_FILE" | cut -d= -f2-)"
    return 0
  fi
  if running etcd || running kube-apiserver; then
    log "not healthy (etcd: $(running etcd && echo up || echo down), kube-apiserver: $(running kube-apiserver && echo up || echo down))"
  else
    log "not running"
  fi
  return 1
}

cmd_env() {
  healthy || die "control plane not running; start it with: $0 start"
  cat "$ENV_FILE"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) usage ;;
esac
