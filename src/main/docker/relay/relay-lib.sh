#!/usr/bin/env bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
# Shared by entrypoint.sh, drain.sh and ready.sh; source it. Every path and address comes from the environment,
# so the scripts run unchanged in the image (the defaults below) and in tests (temp dirs, 127.0.0.x ports).

: "${RELAY_CONFIG_DIR:=/etc/postfix}"             # live Postfix configuration directory (postfix -c)
: "${RELAY_CONFIG_MOUNT:=/etc/mailroute/config}"  # ConfigMap: main.cf, transport, tls_policy [, config-hash]
: "${RELAY_SASL_MOUNT:=/etc/mailroute/sasl}"      # Secret: sasl_passwd, hash-key (optional)
: "${RELAY_QUEUE_DIR:=/var/spool/postfix}"        # queue_directory (the PVC)
: "${RELAY_DATA_DIR:=/var/lib/postfix}"           # data_directory
: "${RELAY_LISTEN:=smtp}"                         # smtpd service: smtp (port 25), PORT or ADDR:PORT
: "${RELAY_STATE_DIR:=/run/mailroute}"            # status file, staging and candidate directories
: "${RELAY_STATUS_LISTEN:=}"                      # [ADDR:]PORT of the HTTP status endpoint; empty: none
: "${RELAY_MAILLOG:=/dev/stdout}"                 # maillog_file; a file lets delivery-summary.pl follow it
: "${RELAY_MAILLOG_ECHO:=0}"                      # 1: delivery-summary.pl copies the log to stdout
: "${RELAY_MAILLOG_MAX_BYTES:=0}"                 # >0: read parts of the log file become holes, every this many bytes
: "${RELAY_DELIVERY_WINDOW_SECONDS:=600}"         # delivery counts cover this many recent seconds
: "${RELAY_DELIVERY_WRITE_SECONDS:=5}"            # the delivery file is rewritten at least this often
: "${RELAY_QUEUE_SCAN_SECONDS:=15}"               # queue depth per domain is counted this often (postqueue -j)
: "${RELAY_POLL_SECONDS:=2}"                      # how often the mounted files are compared
: "${RELAY_MAIN_CF_OVERRIDES:=}"                  # optional file of "name = value" lines applied last
: "${RELAY_DRAIN_SECONDS:=60}"                    # drain.sh gives up after this many seconds
: "${RELAY_DRAIN_FLUSH_SECONDS:=10}"              # drain.sh flushes the queue this often
: "${RELAY_MODE:=relay}"                          # relay | drain (entrypoint.sh: deliver the queue, no smtpd, exit)

# Every Postfix command below names its instance with -c DIR. Nothing may fall back to the host's default
# configuration (/etc/postfix/main.cf, absent on a "No configuration" install and in the image before the first
# install), nor to an inherited MAIL_CONFIG that would silently point a candidate check at the live instance.
unset MAIL_CONFIG

RELAY_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RELAY_STATUS_DIR="$RELAY_STATE_DIR/status"
RELAY_STATUS_FILE="$RELAY_STATUS_DIR/status"
RELAY_DELIVERY_FILE="$RELAY_STATUS_DIR/delivery"
RELAY_DRAIN_FLAG="$RELAY_STATE_DIR/draining"
# The files the operator renders, in the order PostfixConfig.hash() covers them (sorted by name). master_services
# (the routes' own delivery transports) is optional and, like in PostfixConfig, hashed only when not empty.
RELAY_FILES=(main.cf master_services sasl_passwd tls_policy transport)
# The image's fixed master.cf with @LISTEN@ filled in; the live master.cf is this plus master_services.
RELAY_MASTER_BASE="$RELAY_STATE_DIR/master.cf.base"
RELAY_MAPS=(sasl_passwd tls_policy transport)

# relay_utc: the current UTC time (ISO 8601, seconds) into the variable named $1, without starting a command.
relay_utc() { TZ=UTC printf -v "$1" '%(%Y-%m-%dT%H:%M:%SZ)T' -1; }

relay_log() {
  local now
  relay_utc now
  printf '%s mailroute-relay[%s]: %s\n' "$now" "$$" "$*" >&2
}

# relay_config_hash DIR KEYFILE: the public configuration hash, exactly like
# io.mailroute.postfix.PostfixConfig#hash(String), so the relay reports the same hash as the operator's
# status.configHash: SHA-256 over DIR's public files and, in place of sasl_passwd, "hmac-sha256:" and the HMAC of
# sasl_passwd keyed with KEYFILE (the Secret's hash-key entry). sasl_passwd itself never enters a public hash.
relay_config_hash() { relay_hash_files "$1" "$2" && printf '%s\n' "$RELAY_HASH"; }

# relay_hash_files DIR KEYFILE [FILE...]: sets RELAY_HASH to DIR's public configuration hash (relay_config_hash) and
# RELAY_DIGEST[FILE] to the SHA-256 of each further FILE that exists (sasl_passwd must not be one: a secret enters
# nothing computed without a key). One stat, one cat and one sha256sum in all, whatever the number of files: every
# command started costs 5-15 ms on a busy 2-core machine, and this runs on every change. The per-file headers of the
# hash (name NUL length NUL) are written to small files in RELAY_STATE_DIR/hash so that one cat streams everything.
declare -gA RELAY_DIGEST=()
relay_hash_files() {
  local dir="$1" keyfile="$2" scratch="$RELAY_STATE_DIR/hash" f i=0 sasl="" sum name status
  local hashed=() sizes=() parts=() extras=()
  shift 2
  RELAY_HASH="" RELAY_DIGEST=()
  [ -d "$scratch" ] || mkdir -p "$scratch" || return 1
  if [ -s "$dir/sasl_passwd" ]; then
    sasl="hmac-sha256:$(relay_hmac_sha256 "$keyfile" "$dir/sasl_passwd")" || return 1
  fi
  # master_services, like in PostfixConfig, only when not empty
  for f in "${RELAY_FILES[@]}"; do
    [ "$f" != sasl_passwd ] || continue
    [ "$f" != master_services ] || [ -s "$dir/$f" ] || continue
    hashed+=("$dir/$f")
  done
  stat -L -c %s -- "${hashed[@]}" > "$scratch/sizes" || return 1
  mapfile -t sizes < "$scratch/sizes"
  for f in "${RELAY_FILES[@]}"; do
    if [ "$f" = sasl_passwd ]; then
      printf '%s\0%s\0%s' "$f" "${#sasl}" "$sasl" > "$scratch/header-$f" || return 1
      parts+=("$scratch/header-$f")
    elif [ "$dir/$f" = "${hashed[i]:-}" ]; then
      printf '%s\0%s\0' "$f" "${sizes[i]}" > "$scratch/header-$f" || return 1
      parts+=("$scratch/header-$f" "$dir/$f")
      i=$((i + 1))
    fi
  done
  for f; do [ ! -f "$f" ] || extras+=("$f"); done
  cat -- "${parts[@]}" | sha256sum - "${extras[@]}" > "$scratch/sums"
  status="${PIPESTATUS[0]}${PIPESTATUS[1]}"
  [ "$status" = 00 ] || return 1
  while read -r sum name; do
    if [ "$name" = - ]; then RELAY_HASH="$sum"; else RELAY_DIGEST["$name"]="$sum"; fi
  done < "$scratch/sums"
  [ -n "$RELAY_HASH" ]
}

# relay_hmac_sha256 KEYFILE FILE: HMAC-SHA256 (RFC 2104, lowercase hex) of FILE keyed with KEYFILE's bytes (1 to 64).
# Built from sha256sum and printf escapes so that the key never appears on a command line (openssl dgst -hmac
# would show it in /proc/PID/cmdline).
# shellcheck disable=SC2059  # the formats are built of \xHH escapes only, on purpose
relay_hmac_sha256() {
  local keyfile="$1" file="$2" key i b escape ipad="" opad="" inner inner_bin=""
  key="$(od -An -v -tx1 "$keyfile")" || return 1
  key="${key//[$' \n']/}"
  if [ -z "$key" ] || [ "${#key}" -gt 128 ]; then
    relay_log "hash key $keyfile must hold 1 to 64 bytes"
    return 1
  fi
  while [ "${#key}" -lt 128 ]; do key="${key}00"; done
  for ((i = 0; i < 128; i += 2)); do
    b=$((16#${key:i:2}))
    printf -v escape '\\x%02x' $((b ^ 0x36)); ipad+="$escape"
    printf -v escape '\\x%02x' $((b ^ 0x5c)); opad+="$escape"
  done
  inner="$({ printf "$ipad"; cat "$file"; } | sha256sum)" || return 1
  inner="${inner:0:64}"
  for ((i = 0; i < 64; i += 2)); do inner_bin+="\\x${inner:i:2}"; done
  local outer
  outer="$({ printf "$opad"; printf "$inner_bin"; } | sha256sum)" || return 1
  printf '%s\n' "${outer:0:64}"
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

# relay_master_pid VAR: the PID the Postfix master of this queue directory wrote into VAR; false when there is none.
relay_master_pid() {
  local pid=""
  [ -f "$RELAY_QUEUE_DIR/pid/master.pid" ] || return 1
  read -r pid 2>/dev/null < "$RELAY_QUEUE_DIR/pid/master.pid"
  printf -v "$1" '%s' "$pid"
  [ -n "$pid" ]
}

# relay_master_running: true while the Postfix master of this queue directory runs (quiet, unlike postfix status).
relay_master_running() {
  local master=""
  relay_master_pid master && kill -0 "$master" 2>/dev/null
}
