#!/usr/bin/env bash
# A private containerd (Debian's containerd 1.6 + runc) for the image tests: its own root, state, socket and
# config, never the system one (/run/containerd, /var/lib/containerd are not touched).
#
# Usage: hack/containerd.sh start|stop|status|env|import FILE...
#   start   start containerd (idempotent); prints `export ...` lines
#   stop    kill every task, delete every container, stop containerd and any shim it left; nothing keeps running
#   status  exit 0 if containerd answers on its socket
#   env     print `export ...` lines for eval: MAILROUTE_CONTAINERD_ADDRESS, MAILROUTE_CONTAINERD_NAMESPACE
#   import  import OCI archives (hack/build-images.sh writes them) into namespace k8s.io; skips an archive whose
#           image is already there with the same digest
#
#   eval "$(hack/containerd.sh start)"; ctr --address "$MAILROUTE_CONTAINERD_ADDRESS" -n k8s.io images ls
#
# Environment: MAILROUTE_CONTAINERD_RUN (default /run/mailroute-test/containerd: socket, state, config, log, pid),
# MAILROUTE_CACHE (default /var/cache/mailroute; images and snapshots live in $MAILROUTE_CACHE/containerd/root so
# imports survive a stop; MAILROUTE_CONTAINERD_ROOT overrides that: two containerds cannot share one root). The CRI plugin is configured (runc, restrict_oom_score_adj = true: this machine lacks
# CAP_SYS_RESOURCE) for later pod tests; the image tests use `ctr run` with the host network.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="${MAILROUTE_CONTAINERD_RUN:-/run/mailroute-test/containerd}"
ROOT_DIR="${MAILROUTE_CONTAINERD_ROOT:-$MAILROUTE_CACHE/containerd/root}"
STATE_DIR="$RUN_DIR/state"
SOCKET="$RUN_DIR/containerd.sock"
CONFIG="$RUN_DIR/config.toml"
PID_FILE="$RUN_DIR/containerd.pid"
LOG_FILE="$RUN_DIR/containerd.log"
NAMESPACE=k8s.io
START_TIMEOUT="${MAILROUTE_START_TIMEOUT:-60}"

usage() {
  sed -n '5,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

lock_state() {
  mkdir -p "$RUN_DIR"
  chmod 700 "$RUN_DIR"
  exec 9>"$RUN_DIR/.lock"
  flock -w 300 9 || die "timed out waiting for the lock on $RUN_DIR"
}

ctr_() { ctr --address "$SOCKET" "$@"; }

alive() {
  local st
  [ -n "${1:-}" ] && [ -r "/proc/$1/status" ] || return 1
  st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# ours PID: our containerd (its binary, our config file on the command line).
ours() {
  local a0=""
  alive "$1" || return 1
  IFS= read -r -d '' a0 2>/dev/null <"/proc/$1/cmdline" || return 1
  [ "$(basename "$a0")" = containerd ] || return 1
  grep -zFxq -- "$CONFIG" "/proc/$1/cmdline" 2>/dev/null
}

# containerd_pids: the pid file's process plus strays (a start killed before writing the pid file).
containerd_pids() {
  local pid f
  {
    if [ -f "$PID_FILE" ]; then
      pid=$(cat "$PID_FILE" 2>/dev/null || true)
      if ours "$pid"; then echo "$pid"; fi
    fi
    for f in $(grep -lzFx -- "$CONFIG" /proc/[0-9]*/cmdline 2>/dev/null || true); do
      pid=${f#/proc/}
      pid=${pid%/cmdline}
      if ours "$pid"; then echo "$pid"; fi
    done
  } | sort -u
}

# shim_pids: containerd-shim-runc-v2 processes serving our socket (they outlive containerd by design).
shim_pids() {
  local f pid
  for f in $(grep -lzFx -- "$SOCKET" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    alive "$pid" && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = containerd-shim-runc-v2 ] && echo "$pid"
  done
}

healthy() {
  local pid
  [ -S "$SOCKET" ] && [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  ours "$pid" && ctr_ version >/dev/null 2>&1
}

install_deps() {
  apt_install containerd runc containernetworking-plugins
  command -v containerd >/dev/null && command -v ctr >/dev/null && command -v runc >/dev/null \
    || die "containerd, ctr or runc missing after install"
  # Debian's package starts the system containerd where an init system runs it; this script never uses it.
}

write_config() {
  mkdir -p "$ROOT_DIR" "$STATE_DIR" "$RUN_DIR/cni/net.d"
  cat >"$CONFIG.tmp" <<EOF
version = 2
root = "$ROOT_DIR"
state = "$STATE_DIR"
oom_score = 0

[grpc]
  address = "$SOCKET"

[ttrpc]
  address = "$SOCKET.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  # The machine lacks CAP_SYS_RESOURCE: containerd must not try to lower oom_score_adj below its own.
  restrict_oom_score_adj = true
  # No registry is reachable: hack/cluster.sh builds this image from the kubernetes source (build/pause).
  sandbox_image = "mailroute/pause:3.6"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$RUN_DIR/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
EOF
  mv -f "$CONFIG.tmp" "$CONFIG"
}

# remove_containers: kills every task and deletes every container (and its snapshot) in every namespace.
remove_containers() {
  local ns id tries
  healthy || return 0
  for ns in $(ctr_ namespaces ls -q 2>/dev/null); do
    for id in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do
      log "killing task $ns/$id"
      ctr_ -n "$ns" tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
      tries=50
      while ctr_ -n "$ns" tasks ls 2>/dev/null | awk -v id="$id" '$1 == id {print $3}' | grep -qv STOPPED \
        && [ "$tries" -gt 0 ]; do sleep 0.2; tries=$((tries - 1)); done
      ctr_ -n "$ns" tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr_ -n "$ns" containers ls -q 2>/dev/null); do
      log "deleting container $ns/$id"
      ctr_ -n "$ns" containers delete "$id" >/dev/null 2>&1 || true
    done
  done
}

# kill_pids NAME PID... : SIGTERM, up to 20s, then SIGKILL.
kill_pids() {
  local name=$1 pid deadline
  shift
  [ $# -gt 0 ] || return 0
  log "stopping $name (pid $*)"
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 20 ))
  for pid in "$@"; do
    while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    if alive "$pid"; then
      log "$name pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local tries=50
      while alive "$pid" && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
      alive "$pid" && die "could not stop $name pid $pid"
    fi
  done
}

# unmount_leftovers: rootfs and shm mounts of containers that were not deleted cleanly.
unmount_leftovers() {
  local m
  for m in $(awk -v s="$STATE_DIR/" -v r="$ROOT_DIR/" 'index($5, s) == 1 || index($5, r) == 1 {print $5}' \
    /proc/self/mountinfo | sort -r); do
    log "unmounting $m"
    umount -l "$m" 2>/dev/null || true
  done
}

stop_all() {
  local pids shims pid
  remove_containers
  # shellcheck disable=SC2046
  kill_pids containerd $(containerd_pids)
  # A shim whose container could not be deleted (containerd was killed, say) still runs its container: kill the
  # container's processes (the shim's children), then the shim.
  shims=$(shim_pids)
  if [ -n "$shims" ]; then
    for pid in $shims; do
      # shellcheck disable=SC2046
      kill -KILL $(ps -o pid= --ppid "$pid") 2>/dev/null || true
    done
    # shellcheck disable=SC2086
    kill_pids containerd-shim-runc-v2 $shims
  fi
  unmount_leftovers
  rm -f "$PID_FILE" "$SOCKET" "$SOCKET.ttrpc"
}

cmd_start() {
  local t0 deadline pid
  lock_state
  if healthy; then
    log "already running on $SOCKET"
    cmd_env
    return 0
  fi
  stop_all
  install_deps
  write_config
  t0=$(date +%s.%N)
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
  # Variables that would point containerd elsewhere must not leak in from the caller.
  (
    unset CONTAINERD_ADDRESS CONTAINERD_NAMESPACE
    exec setsid containerd --config "$CONFIG" </dev/null >"$LOG_FILE" 2>&1 9>&-
  ) &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started containerd (pid $pid, log $LOG_FILE)"
  until [ -S "$SOCKET" ] && ctr_ version >/dev/null 2>&1; do
    if ! alive "$pid"; then
      tail -n 30 "$LOG_FILE" >&2
      stop_all
      die "containerd exited during startup"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$LOG_FILE" >&2
      stop_all
      die "containerd not answering on $SOCKET after ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  log "containerd ready on $SOCKET in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')s"
  cmd_env
}

cmd_stop() {
  lock_state
  stop_all
  log "containerd stopped (images kept in $ROOT_DIR, log in $LOG_FILE)"
}

cmd_status() {
  if healthy; then
    log "running on $SOCKET"
    return 0
  fi
  log "not running"
  return 1
}

cmd_env() {
  printf 'export MAILROUTE_CONTAINERD_ADDRESS=%q\n' "$SOCKET"
  printf 'export MAILROUTE_CONTAINERD_NAMESPACE=%q\n' "$NAMESPACE"
}

# import FILE...: an OCI archive names its image in the index annotation org.opencontainers.image.ref.name.
cmd_import() {
  local file name digest have t0
  healthy || die "containerd not running; start it with: $0 start"
  for file in "$@"; do
    [ -f "$file" ] || die "no such archive: $file"
    t0=$(date +%s.%N)
    name=$(tar -xOf "$file" index.json | python3 -c \
      'import json,sys; m=json.load(sys.stdin)["manifests"][0]; print(m.get("annotations",{}).get("org.opencontainers.image.ref.name",""))')
    digest=$(tar -xOf "$file" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])')
    [ -n "$name" ] || die "$file names no image (org.opencontainers.image.ref.name)"
    have=$(ctr_ -n "$NAMESPACE" images ls 2>/dev/null | awk -v n="$name" '$1 == n {print $3}')
    if [ "$have" = "$digest" ]; then
      log "image $name ($digest) already imported"
      continue
    fi
    ctr_ -n "$NAMESPACE" images import "$file" >/dev/null
    ctr_ -n "$NAMESPACE" images ls | awk -v n="$name" '$1 == n {found=1} END {exit !found}' \
      || die "importing $file did not create image $name"
    log "imported $name ($digest) from $file in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')s"
  done
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  import) shift; [ $# -gt 0 ] || usage; cmd_import "$@" ;;
  *) usage ;;
esac
