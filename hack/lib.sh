#!/usr/bin/env bash
# Shared helpers for the project's scripts. Source it; do not run it.
set -euo pipefail

MAILROUTE_CACHE="${MAILROUTE_CACHE:-/var/cache/mailroute}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

apt_updated=""
# apt_install PKG... : installs the Debian packages that are missing (needs root).
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "packages missing and not root: ${missing[*]}"
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# free_port : prints a free TCP port on 127.0.0.1.
free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# wait_for CMD... : retries CMD for up to ${WAIT_SECONDS:-60}s.
wait_for() {
  local deadline=$(( $(date +%s) + ${WAIT_SECONDS:-60} ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# crds_and_relay NAMESPACE NAME HOSTNAME : on the control plane MAILROUTE_KUBECTL talks to (hack/control-plane.sh
# env), the CRDs (waited for until established), namespace NAMESPACE and in it one MailRelay NAME with HOSTNAME,
# accepting 10.0.0.0/8 and routes of its own namespace: what the benchmarks run the operator against.
crds_and_relay() {
  "$MAILROUTE_KUBECTL" apply --validate=false -f "$REPO_ROOT/crds/" >/dev/null
  "$MAILROUTE_KUBECTL" wait --for condition=established --timeout=60s crd/mailroutes.mailroute.io >/dev/null
  "$MAILROUTE_KUBECTL" create namespace "$1" >/dev/null
  "$MAILROUTE_KUBECTL" apply -f - >/dev/null <<YAML
apiVersion: mailroute.io/v1alpha1
kind: MailRelay
metadata: {name: $2, namespace: $1}
spec: {hostname: $3, acceptFrom: [10.0.0.0/8], allowedRoutes: {from: Same}}
YAML
}
