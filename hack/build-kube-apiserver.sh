#!/usr/bin/env bash
# Builds kube-apiserver 1.20.2 from Debian's `kubernetes` source package, once, into
# $MAILROUTE_CACHE/bin. No prebuilt binary is downloaded: everything comes from Debian packages.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="$MAILROUTE_CACHE/bin/kube-apiserver"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

apt_install golang-go rsync jq dpkg-dev golang-github-modern-go-reflect2-dev build-essential

SRC_LIST=/etc/apt/sources.list.d/mailroute-deb-src.sources
if [ ! -f "$SRC_LIST" ]; then
  log "adding deb-src entry for bookworm"
  cat > "$SRC_LIST" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq >/dev/null
fi

WORK="$MAILROUTE_CACHE/kubernetes-src"
mkdir -p "$WORK"
cd "$WORK"
if ! ls kubernetes_*.dsc >/dev/null 2>&1; then
  log "downloading Debian kubernetes source package"
  apt-get source --download-only kubernetes >/dev/null
fi
TREE="$WORK/tree"
if [ ! -d "$TREE" ]; then
  log "unpacking source"
  dpkg-source --no-check -x kubernetes_*.dsc "$TREE.tmp" >/dev/null
  mv "$TREE.tmp" "$TREE"
fi

# The vendored reflect2 1.0.1 crashes under Go >= 1.18 on map iteration; use Debian's 1.0.2.
R2=/usr/share/gocode/src/github.com/modern-go/reflect2
VR2="$TREE/vendor/github.com/modern-go/reflect2"
rm -f "$VR2"/*.go "$VR2"/*.s
cp "$R2"/*.go "$VR2"/
cp "$R2"/*.s "$VR2"/ 2>/dev/null || true
rm -f "$VR2"/*_test.go

mkdir -p "$TREE/.go/src/k8s.io"
ln -sfn "$TREE" "$TREE/.go/src/k8s.io/kubernetes"
log "building kube-apiserver (takes several minutes)"
cd "$TREE/.go/src/k8s.io/kubernetes"
GOPATH="$TREE/.go" GO111MODULE=off GOFLAGS= GOCACHE="$MAILROUTE_CACHE/gocache" \
  KUBE_GIT_VERSION=v1.20.2 KUBE_BUILD_PLATFORMS=linux/amd64 \
  make WHAT=cmd/kube-apiserver >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; die "kube-apiserver build failed"; }
built=$(find "$TREE/_output" -type f -name kube-apiserver -perm -u+x | head -1)
[ -n "$built" ] || die "kube-apiserver binary not found after build"
mkdir -p "$(dirname "$BIN")"
cp "$built" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
log "kube-apiserver built: $BIN"
echo "$BIN"
