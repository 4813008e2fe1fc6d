#!/usr/bin/env bash
# Runs a throw-away Knot DNS authoritative server on 127.0.0.1 with the test zones from
# src/test/resources/dns/ (no systemd, all state in one directory).
#
#   hack/dns-server.sh install   install knotd/knotc (Debian package `knot`) and kdig
#   hack/dns-server.sh start     start on a free port (UDP+TCP); prints the env lines
#   hack/dns-server.sh env       print MAILROUTE_DNS_SERVER=127.0.0.1:PORT and the state dir
#   hack/dns-server.sh reload    re-read the zone files in the state dir (after editing them)
#   hack/dns-server.sh stop      stop the server and delete the state dir
#
# State dir: $MAILROUTE_DNS_DIR (default /tmp/mailroute-dns). The JUnit tests do not need this
# script running: they start their own knotd from the same knot.conf.template.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${MAILROUTE_DNS_DIR:-/tmp/mailroute-dns}"
ZONES_SRC="$REPO_ROOT/src/test/resources/dns"

install_knot() {
  apt_install knot knot-dnsutils
  command -v knotd >/dev/null || [ -x /usr/sbin/knotd ] || die "knotd not found after install"
}

knotd_bin() { command -v knotd 2>/dev/null || echo /usr/sbin/knotd; }
knotc_bin() { command -v knotc 2>/dev/null || echo /usr/sbin/knotc; }

# answers PORT : both test zones are served (grep reads all input: no SIGPIPE under pipefail)
answers() {
  local zone
  for zone in mx.test change.test; do
    kdig @127.0.0.1 -p "$1" +retry=0 +timeout=1 +norecurse SOA "$zone" 2>/dev/null \
      | grep 'status: NOERROR' >/dev/null || return 1
  done
}

start() {
  install_knot
  if [ -f "$DIR/port" ] && answers "$(cat "$DIR/port")"; then
    log "already running"; print_env; return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/run" "$DIR/db" "$DIR/zones"
  cp "$ZONES_SRC"/*.zone "$DIR/zones/"
  local port attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    sed -e "s#@STATE_DIR@#$DIR#g" -e "s#@LISTEN@#127.0.0.1@$port#g" \
      "$ZONES_SRC/knot.conf.template" > "$DIR/knot.conf"
    setsid "$(knotd_bin)" -c "$DIR/knot.conf" >"$DIR/knotd.log" 2>&1 &
    echo $! > "$DIR/knotd.pid"
    if WAIT_SECONDS=10 wait_for answers "$port"; then
      echo "$port" > "$DIR/port"
      log "knotd answering on 127.0.0.1:$port (UDP+TCP)"
      print_env
      return 0
    fi
    log "knotd did not answer on port $port (attempt $attempt):"; tail -5 "$DIR/knotd.log" >&2 || true
    kill "$(cat "$DIR/knotd.pid")" 2>/dev/null || true
  done
  die "could not start knotd, see $DIR/knotd.log"
}

print_env() {
  [ -f "$DIR/port" ] || die "not running (no $DIR/port)"
  echo "MAILROUTE_DNS_SERVER=127.0.0.1:$(cat "$DIR/port")"
  echo "MAILROUTE_DNS_DIR=$DIR"
}

reload() {
  [ -f "$DIR/knot.conf" ] || die "not running"
  "$(knotc_bin)" -c "$DIR/knot.conf" zone-reload >/dev/null
}

stop() {
  if [ -f "$DIR/knotd.pid" ]; then
    local pid; pid="$(cat "$DIR/run/knot.pid" 2>/dev/null || cat "$DIR/knotd.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  install) install_knot ;;
  start) start ;;
  env) print_env ;;
  reload) reload ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|env|reload|stop" >&2; exit 2 ;;
esac
