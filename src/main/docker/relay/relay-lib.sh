#!/usr/bin/env bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
# Shared by entrypoint.sh, drain.sh and ready.sh; source it. Every path and address comes from the environment,
# so the scripts run unchanged in the image (the defaults below) and in tests (temp dirs, 127.0.0.x ports).

: "${RELAY_CONFIG_DIR:=/etc/postfix}"             # live Postfix configuration directory (postfix -c)
: "${RELAY_CONFIG_MOUNT:=/etc/mailroute/config}"  # ConfigMap: main.cf, transport, tls_policy [, config-hash]
: "${RELAY_SASL_MOUNT:=/etc/mailroute/sasl}"      # Secret: sasl_passwd (optional)
: "${RELAY_QUEUE_DIR:=/var/spool/postfix}"        # queue_directory (the PVC)
: "${RELAY_DATA_DIR:=/var/lib/postfix}"           # data_directory
: "${RELAY_LISTEN:=smtp}"                         # smtpd service: smtp (port 25), PORT or ADDR:PORT
: "${RELAY_STATE_DIR:=/run/mailroute}"            # status file, staging and candidate directories
: "${RELAY_STATUS_LISTEN:=}"                      # [ADDR:]PORT of the HTTP status endpoint; empty: none
: "${RELAY_MAILLOG:=/dev/stdout}"                 # maillog_file
: "${RELAY_POLL_SECONDS:=2}"                      # how often the mounted files are compared
: "${RELAY_MAIN_CF_OVERRIDES:=}"                  # optional file of "name = value" lines applied last
: "${RELAY_DRAIN_SECONDS:=60}"                    # drain.sh gives up after this many seconds
: "${RELAY_DRAIN_FLUSH_SECONDS:=10}"              # drain.sh flushes the queue this often

# Every Postfix command below names its instance with -c DIR. Nothing may fall back to the host's default
# configuration (/etc/postfix/main.cf, absent on a "No configuration" install and in the image before the first
# install), nor to an inherited MAIL_CONFIG that would silently point a candidate check at the live instance.
unset MAIL_CONFIG

RELAY_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RELAY_STATUS_DIR="$RELAY_STATE_DIR/status"
RELAY_STATUS_FILE="$RELAY_STATUS_DIR/status"
RELAY_DRAIN_FLAG="$RELAY_STATE_DIR/draining"
# The files the operator renders, in the order PostfixConfig.hash() covers them (sorted by name).
RELAY_FILES=(main.cf sasl_passwd tls_policy transport)
RELAY_MAPS=(sasl_passwd tls_policy transport)

relay_log() { printf '%s mailroute-relay[%s]: %s\n' "$(date -u +%FT%TZ)" "$$" "$*" >&2; }

# relay_config_hash DIR: SHA-256 over DIR's files exactly like io.mailroute.postfix.PostfixConfig#hash(),
# so the relay reports the same hash as the operator's status.configHash.
relay_config_hash() {
  local dir="$1" f
  for f in "${RELAY_FILES[@]}"; do
    printf '%s\0%s\0' "$f" "$(stat -c %s "$dir/$f")"
    cat "$dir/$f"
  done | sha256sum | cut -d' ' -f1
}

# relay_probe_address: HOST PORT where the local smtpd listens, derived from RELAY_LISTEN.
relay_probe_address() {
  case "$RELAY_LISTEN" in
    smtp) echo "127.0.0.1 25" ;;
    *:*) echo "${RELAY_LISTEN%:*} ${RELAY_LISTEN##*:}" ;;
    *) echo "127.0.0.1 $RELAY_LISTEN" ;;
  esac
}

# relay_queue_count: messages that still wait for delivery (files in maildrop, incoming, active, deferred).
relay_queue_count() {
  local d n=0
  for d in maildrop incoming active deferred; do
    [ -d "$RELAY_QUEUE_DIR/$d" ] || continue
    n=$((n + $(find "$RELAY_QUEUE_DIR/$d" -type f | wc -l)))
  done
  echo "$n"
}

# relay_master_running: true while the Postfix master of this queue directory runs (quiet, unlike postfix status).
relay_master_running() {
  local pid
  [ -f "$RELAY_QUEUE_DIR/pid/master.pid" ] || return 1
  pid="$(tr -d ' \n' < "$RELAY_QUEUE_DIR/pid/master.pid")" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
