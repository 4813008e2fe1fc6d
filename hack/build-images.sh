#!/usr/bin/env bash
# Builds the relay and operator images without a Docker engine and exports them as OCI archives:
#   1. a debian:bookworm-slim base made by mmdebstrap from the Debian mirror (cached as a tar, reused),
#   2. buildah bud on the repository's Dockerfiles, unchanged (src/main/docker/relay, src/main/docker/operator),
#   3. buildah push to $MAILROUTE_CACHE/images/<name>-<tag>-<inputs hash>.oci.tar, with <name>-<tag>.oci.tar a link
#      to the one this checkout built last (import with hack/containerd.sh import).
# An image is rebuilt only when its inputs changed: the base, its Dockerfile directory and, for the operator,
# target/mailroute-operator-runner.jar (jar contents compared by entry CRC, so a re-package of the same code does not
# count).
# The inputs' hash is kept next to the archive (<archive>.inputs). Idempotent; needs root and the Debian mirror.
#
# Usage: hack/build-images.sh [--check] [relay|operator]...   (default: both; the operator needs `mvn package`
#        first: mvn -B -ntp package -Dmaven.test.skip=true)
#   --check  build nothing, install nothing: print "NAME ARCHIVE" for each named image whose archive for the current
#            sources exists; exit 0 when every named archive exists and matches its inputs,
#            1 (naming the stale or missing ones) otherwise. The image tests run it before they use an archive.
# Environment: MAILROUTE_CACHE (default /var/cache/mailroute), MAILROUTE_REBUILD_IMAGES=1 rebuilds regardless.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

IMAGES_DIR="$MAILROUTE_CACHE/images"
SUITE=bookworm
BASE_IMAGE=docker.io/library/debian:bookworm-slim
BASE_TAR="$IMAGES_DIR/debian-$SUITE-slim.tar"
VERSION=0.1.0
RELAY_IMAGE="docker.io/mailroute/postfix-relay:$VERSION"
OPERATOR_IMAGE="docker.io/mailroute/operator:$VERSION"
RELAY_ARCHIVE="$IMAGES_DIR/postfix-relay-$VERSION.oci.tar"
OPERATOR_ARCHIVE="$IMAGES_DIR/operator-$VERSION.oci.tar"
MIRROR="${MAILROUTE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${MAILROUTE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

t_start=$(date +%s.%N)
summary=()
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }
size_of() { du -h "$1" | cut -f1; }

check_only=""
if [ "${1:-}" = --check ]; then check_only=1; shift; fi
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(relay operator)
for w in "${wanted[@]}"; do
  case "$w" in relay | operator) ;; *) die "unknown image '$w' (relay|operator)" ;; esac
done

stale=()
if [ -n "$check_only" ]; then
  [ -s "$BASE_TAR.sha256" ] || { log "no base image made yet ($BASE_TAR): run hack/build-images.sh"; exit 1; }
else
  [ "$(id -u)" -eq 0 ] || die "needs root (buildah storage in /var/lib/containers, mmdebstrap chroot)"
  apt_install mmdebstrap buildah containerd runc python3 ca-certificates
fi
mkdir -p "$IMAGES_DIR"
exec 9>"$IMAGES_DIR/.lock"
flock -w 1800 9 || die "timed out waiting for another hack/build-images.sh (lock $IMAGES_DIR/.lock)"

# ---------------------------------------------------------------------------------------------
# base: debian:bookworm-slim, made locally (Docker Hub is not reachable here)

# Like the official slim image: no docs, man pages, locales (the rule stays in the image, so the packages the
# Dockerfiles install are slimmed too); the security and updates suites are enabled.
make_base_tar() {
  local t0
  t0=$(date +%s.%N)
  log "making $BASE_TAR with mmdebstrap (minbase, $SUITE)"
  rm -f "$BASE_TAR.tmp"
  mmdebstrap --quiet --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/groff/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
    "$SUITE" "$BASE_TAR.tmp" \
    "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY_MIRROR $SUITE-security main" \
    >&2 || { rm -f "$BASE_TAR.tmp"; die "mmdebstrap failed"; }
  sha256sum "$BASE_TAR.tmp" | cut -d' ' -f1 >"$BASE_TAR.sha256"
  mv -f "$BASE_TAR.tmp" "$BASE_TAR"
  summary+=("base: made $BASE_TAR ($(size_of "$BASE_TAR")) in $(since "$t0")s")
}

# base_in_storage: buildah has $BASE_IMAGE committed from exactly this tar (label io.mailroute.base).
base_in_storage() {
  local label
  label=$(buildah inspect --type image --format '{{index .ImageAnnotations "io.mailroute.base"}}' "$BASE_IMAGE" 2>/dev/null) \
    || return 1
  [ "$label" = "$(cat "$BASE_TAR.sha256")" ]
}

ensure_base_tar() {
  if [ ! -s "$BASE_TAR" ] || [ ! -s "$BASE_TAR.sha256" ]; then
    make_base_tar
  else
    summary+=("base: reused $BASE_TAR ($(size_of "$BASE_TAR"), made $(date -r "$BASE_TAR" +%F))")
  fi
}

ensure_base() {
  local t0 ctr
  base_in_storage && return 0
  t0=$(date +%s.%N)
  log "committing $BASE_TAR as $BASE_IMAGE in buildah's storage"
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$BASE_TAR" / >/dev/null || { buildah rm "$ctr" >/dev/null; die "buildah add failed"; }
  buildah config --cmd bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --annotation "io.mailroute.base=$(cat "$BASE_TAR.sha256")" "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null || die "buildah commit of the base failed"
  summary+=("base: committed to buildah storage as $BASE_IMAGE in $(since "$t0")s")
}

# ---------------------------------------------------------------------------------------------
# inputs hash

# tree_hash DIR|FILE...: sha256 over every file's relative path, mode and content; for a .jar its entries' names, CRCs
# and sizes instead of its bytes (timestamps inside a re-packaged jar change, its content does not). The classes
# Quarkus generates while packaging are left out (see below).
tree_hash() {
  python3 - "$@" <<'PY'
import hashlib, os, stat, sys, zipfile
h = hashlib.sha256()
# Quarkus regenerates these classes from the others with varying bytes and names (two packages of the same code
# differ in ~30 of them, even in their sizes): left out; what they are generated from is hashed.
GENERATED = ("io/quarkus/runner/", "io/quarkus/runtime/generated/")
def files(top):
    if os.path.isfile(top):
        yield top, os.path.basename(top)
        return
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            yield path, os.path.relpath(path, os.path.dirname(top.rstrip("/")))
for top in sys.argv[1:]:
    for path, rel in files(top):
        mode = os.stat(path).st_mode
        h.update(f"{rel}\0{oct(stat.S_IMODE(mode) & 0o111)}\0".encode())
        if path.endswith(".jar") and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for e in sorted(z.infolist(), key=lambda e: e.filename):
                    if not e.filename.startswith(GENERATED):
                        h.update(f"{e.filename}\0{e.CRC}\0{e.file_size}\0".encode())
        else:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
print(h.hexdigest())
PY
}

# build NAME IMAGE ARCHIVE DOCKERFILE CONTEXT INPUT...: buildah bud + push unless the archive of these inputs exists.
# Archives are named by their inputs (NAME-VERSION-<hash>.oci.tar): checkouts of different sources that share the
# cache (worktrees, a demo next to a test run) each find their own image instead of overwriting one another's.
build() {
  local name=$1 image=$2 prefix=$3 dockerfile=$4 context=$5 inputs archive t0 t1
  shift 5
  inputs="$(printf '%s\n%s\n%s\n' "$image" "$(cat "$BASE_TAR.sha256")" "$(tree_hash "$@")" | sha256sum | cut -d' ' -f1)"
  archive="${prefix%.oci.tar}-${inputs:0:12}.oci.tar"
  if [ -n "$check_only" ] && [ -s "$archive" ]; then echo "$name $archive"; fi
  if [ -z "${MAILROUTE_REBUILD_IMAGES:-}" ] && [ -s "$archive" ] && [ "$(cat "$archive.inputs" 2>/dev/null)" = "$inputs" ]; then
    summary+=("$name: unchanged (inputs $inputs), kept $archive ($(size_of "$archive"))")
    [ -n "$check_only" ] || ln -sfn "$(basename "$archive")" "$prefix"
    return 0
  fi
  if [ -n "$check_only" ]; then
    stale+=("$name: no archive for the current sources ($archive)")
    return 0
  fi
  ensure_base
  t0=$(date +%s.%N)
  log "building $image from $dockerfile"
  if ! buildah bud --pull=never --network=host --layers=false -f "$dockerfile" -t "$image" "$context" \
    >"$IMAGES_DIR/$name.build.log" 2>&1; then
    tail -n 40 "$IMAGES_DIR/$name.build.log" >&2
    die "buildah bud of $image failed (last lines above, all in $IMAGES_DIR/$name.build.log)"
  fi
  t1=$(date +%s.%N)
  log "exporting $image to $archive"
  rm -f "$archive.tmp" "$archive.inputs"
  buildah push --quiet "$image" "oci-archive:$archive.tmp:$image" >&2 || { rm -f "$archive.tmp"; die "buildah push of $image failed"; }
  mv -f "$archive.tmp" "$archive"
  echo "$inputs" >"$archive.inputs"
  ln -sfn "$(basename "$archive")" "$prefix"  # PREFIX names the archive this checkout built last
  # keep the three newest archives of this image (other checkouts may still use theirs), drop the rest
  ls -1t "${prefix%.oci.tar}"-*.oci.tar 2>/dev/null | tail -n +4 | while read -r old; do rm -f "$old" "$old.inputs"; done
  summary+=("$name: built $image in $(since "$t0")s (build $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')s, export $(since "$t1")s), $archive ($(size_of "$archive"))")
}

[ -n "$check_only" ] || ensure_base_tar
for w in "${wanted[@]}"; do
  case "$w" in
    relay)
      build relay "$RELAY_IMAGE" "$RELAY_ARCHIVE" src/main/docker/relay/Dockerfile src/main/docker/relay \
        src/main/docker/relay
      ;;
    operator)
      [ -f target/mailroute-operator-runner.jar ] \
        || die "target/mailroute-operator-runner.jar missing: run 'mvn -B -ntp package -Dmaven.test.skip=true' first"
      build operator "$OPERATOR_IMAGE" "$OPERATOR_ARCHIVE" src/main/docker/operator/Dockerfile . \
        src/main/docker/operator target/mailroute-operator-runner.jar
      ;;
  esac
done

if [ -n "$check_only" ]; then
  for line in "${stale[@]}"; do log "$line"; done
  [ ${#stale[@]} -eq 0 ] || { log "run hack/build-images.sh to (re)build them"; exit 1; }
  log "image archives up to date"
  exit 0
fi

# Buildah keeps the images in /var/lib/containers/storage; drop dangling layers of earlier builds.
buildah rmi --prune >/dev/null 2>&1 || true
for line in "${summary[@]}"; do log "$line"; done
log "images done in $(since "$t_start")s (archives in $IMAGES_DIR)"
