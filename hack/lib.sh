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

# install_control_plane : the build's Debian packages (hack/install-deps.sh) and the control plane's kube-apiserver.
install_control_plane() {
  "$REPO_ROOT/hack/install-deps.sh"
  "$REPO_ROOT/hack/build-kube-apiserver.sh" >/dev/null
}

# package_operator_jar : packages the operator (target/mailroute-operator-runner.jar), tests skipped.
package_operator_jar() {
  log "packaging the operator jar"
  # to stderr, without colour codes: the benchmarks print their Markdown on stdout
  (cd "$REPO_ROOT" && mvn -B -q -ntp -Dstyle.color=never package -Dmaven.test.skip=true >&2)
}

# image_java_opts : prints the operator image's JAVA_OPTS (its Dockerfile); dies when none: VAR="$(image_java_opts)".
image_java_opts() {
  local opts
  opts="$(sed -n 's/^    JAVA_OPTS="\([^"]*\)".*/\1/p' "$REPO_ROOT/src/main/docker/operator/Dockerfile")"
  [ -n "$opts" ] || die "no JAVA_OPTS found in src/main/docker/operator/Dockerfile"
  printf '%s\n' "$opts"
}

# export_image_malloc_arenas : exports the operator image's MALLOC_ARENA_MAX (its Dockerfile), when it sets one.
export_image_malloc_arenas() {
  local arenas
  arenas="$(sed -n 's/^    MALLOC_ARENA_MAX=\([0-9]*\).*/\1/p' "$REPO_ROOT/src/main/docker/operator/Dockerfile")"
  [ -z "$arenas" ] || export MALLOC_ARENA_MAX="$arenas"
}

# chart_memory_limit_mib : prints the chart's operator memory limit in MiB (values.yaml); dies when there is none.
chart_memory_limit_mib() {
  local limit
  limit="$(sed -n 's/^  limits: {memory: \([0-9]*\)Mi}.*/\1/p' "$REPO_ROOT/charts/mailroute-operator/values.yaml")"
  [ -n "$limit" ] || die "no memory limit found in charts/mailroute-operator/values.yaml"
  printf '%s\n' "$limit"
}

# The CDS archive that the operator image's JAVA_OPTS name (-XX:SharedArchiveFile), made by the image's build.
IMAGE_CDS_ARCHIVE=/deployments/app-cds.jsa

# make_cds_archive ARCHIVE IMAGE_JAVA_OPTS : the packaged jar's CDS archive, made here as the image's build makes it.
make_cds_archive() {
  log "making the operator's CDS archive"
  mkdir -p "$(dirname "$1")"
  (cd "$REPO_ROOT" && JAVA_OPTS="$2" sh src/main/docker/operator/cds-archive.sh "$1" \
    target/mailroute-operator-runner.jar src/main/docker/operator/start-classes.lst)
}

# using_cds_archive OPTS ARCHIVE : prints the JVM options OPTS with the image's archive swapped for ARCHIVE.
using_cds_archive() {
  local image="-XX:SharedArchiveFile=$IMAGE_CDS_ARCHIVE"
  printf '%s\n' "${1/"$image"/-XX:SharedArchiveFile=$2}"
}

# bench_classpath : compiles the tests and prints the class path of the in-process benchmarks (test classes, classes,
# test-scope dependencies); Maven's output goes to stderr: VAR="$(bench_classpath)".
bench_classpath() {
  (cd "$REPO_ROOT" && mvn -B -q -ntp -Dstyle.color=never test-compile >&2 \
    && mvn -B -q -ntp -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
      -Dmdep.includeScope=test >&2)
  printf '%s\n' "$REPO_ROOT/target/test-classes:$REPO_ROOT/target/classes:$(cat "$REPO_ROOT/target/bench-classpath.txt")"
}
