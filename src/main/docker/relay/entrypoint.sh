#!/usr/bin/env bash
# The mailroute relay: installs the mounted configuration, runs the Postfix master in the foreground and applies
# every later change of the mounted files with "postfix reload" (never a restart: connections and queue stay).
# A configuration that fails validation is refused and the last good one stays live. The status file
# ($RELAY_STATE_DIR/status/status, also served over HTTP when RELAY_STATUS_LISTEN is set) says which
# configuration hash is live; it is the hash the operator computes (PostfixConfig#hash(String)).
# delivery-summary.pl follows the Postfix log and the queue and keeps $RELAY_STATUS_DIR/delivery (served as
# /delivery) up to date: per routed domain, recent delivery results and queue depth, without any address.
# Settings: see relay-lib.sh. Needs root (the Postfix master drops privileges itself).
# RELAY_MODE=drain: the same, with the SMTP listener off, for a queue volume whose relay pod is gone (the operator's
# drain Job after a scale-down): deliver the queue, flushing it every RELAY_DRAIN_FLUSH_SECONDS, and exit 0 once it is
# empty (mail on hold is not waited for).
set -uo pipefail
# shellcheck source=relay-lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/relay-lib.sh"
# shellcheck source=relay-config.sh
source "$RELAY_LIB_DIR/relay-config.sh"

state="starting" live_hash="" mounted_hash="" message="" last_generation=""
# microsecond stamps of the phases of the last change (logged when it goes live): the file event, then
# install_mounted's steps
event_us=0 woke_us=0 staged_us=0 hashed_us=0 validated_us=0 installed_us=0
master_pid="" httpd_pid="" sleep_pid="" watch_pid="" watch_fd="" summary_pid=""

write_status() {
  local tmp="$RELAY_STATUS_DIR/.status.tmp" now
  relay_utc now
  printf 'state=%s\nlive=%s\nmounted=%s\nmessage=%s\nupdated=%s\n' "$state" "$live_hash" "$mounted_hash" \
    "${message//$'\n'/ }" "$now" > "$tmp"
  mv -f "$tmp" "$RELAY_STATUS_FILE"
}

set_state() {
  state="$1" message="$2"
  [ -z "$message" ] || relay_log "$state: $message"
  write_status
}

prepare() {
  [ "$(id -u)" -eq 0 ] || { relay_log "must run as root: the Postfix master drops privileges itself"; exit 1; }
  mkdir -p "$RELAY_CONFIG_DIR" "$RELAY_QUEUE_DIR" "$RELAY_DATA_DIR" "$RELAY_STATUS_DIR"
  # The queue volume's root may come from a provisioner as 0750 or 0700 (the host-path provisioner makes 0750):
  # Postfix programs that drop to user postfix (postsuper, qmgr, ...) must still enter it, as in Debian's 0755 layout.
  chown root:root "$RELAY_QUEUE_DIR"
  chmod 0755 "$RELAY_QUEUE_DIR"
  chown postfix "$RELAY_DATA_DIR"
  rm -f "$RELAY_DRAIN_FLAG"
  # the base master.cf; every installed configuration adds its route transports (master_services) to it
  if ! sed "s#@LISTEN@#$RELAY_LISTEN#" "$RELAY_LIB_DIR/master.cf" > "$RELAY_MASTER_BASE" \
      || ! cp "$RELAY_MASTER_BASE" "$RELAY_CONFIG_DIR/master.cf"; then
    set_state failed "cannot write $RELAY_CONFIG_DIR/master.cf"
    exit 1
  fi
  relay_backdate "$RELAY_CONFIG_DIR/master.cf"
  RELAY_MASTER_BASE_TEXT=""
  IFS= read -r -d '' RELAY_MASTER_BASE_TEXT < "$RELAY_MASTER_BASE"
  write_status
}

start_status_endpoint() {
  [ -n "$RELAY_STATUS_LISTEN" ] || return 0
  busybox httpd -f -p "$RELAY_STATUS_LISTEN" -h "$RELAY_STATUS_DIR" &
  httpd_pid=$!
  relay_log "status endpoint on $RELAY_STATUS_LISTEN/status"
}

# start_summary: (re)starts delivery-summary.pl when the Postfix log is a file it can follow; otherwise the
# delivery file says why there is no summary (the operator then reports delivery as unknown).
start_summary() {
  case "$RELAY_MAILLOG" in
    /dev/* | "")
      printf 'format=1\nunavailable=the Postfix log goes to %s, not to a file the relay can read\n' \
        "${RELAY_MAILLOG:-nowhere}" > "$RELAY_DELIVERY_FILE"
      return 0 ;;
  esac
  RELAY_DELIVERY_WINDOW_SECONDS="$RELAY_DELIVERY_WINDOW_SECONDS" RELAY_DELIVERY_WRITE_SECONDS="$RELAY_DELIVERY_WRITE_SECONDS" \
    RELAY_QUEUE_SCAN_SECONDS="$RELAY_QUEUE_SCAN_SECONDS" RELAY_MAILLOG_ECHO="$RELAY_MAILLOG_ECHO" \
    RELAY_MAILLOG_MAX_BYTES="$RELAY_MAILLOG_MAX_BYTES" PATH="$PATH" \
    perl "$RELAY_LIB_DIR/delivery-summary.pl" "$RELAY_MAILLOG" "$RELAY_CONFIG_DIR" "$RELAY_DELIVERY_FILE" &
  summary_pid=$!
}

# check_summary: a summary process that died is started again (its window starts empty).
check_summary() {
  [ -n "$summary_pid" ] || return 0
  kill -0 "$summary_pid" 2>/dev/null && return 0
  wait "$summary_pid"
  relay_log "delivery summary exited with status $?; starting it again"
  start_summary
}

# install_mounted: returns 0 when the mounted files changed and a new, valid configuration was installed.
install_mounted() {
  local generation hash
  # Nothing changed since the version last taken: for kubelet volumes (..data symlinks) this runs no command at all,
  # which matters because the kubelet's own clean-up after an update wakes pause() again. Mounts compared by content
  # were just fingerprinted by that check, which named their new version: not a second time.
  if [ -n "$last_generation" ] && [ "$RELAY_GENERATION" = "$last_generation" ]; then
    relay_still_generation && return 1
    [[ "$RELAY_GENERATION" == content* ]] || relay_generation
  else
    relay_generation
  fi
  generation="$RELAY_GENERATION"
  [ "$generation" != "$last_generation" ] || return 1
  [ "$woke_us" -gt 0 ] || stamp woke_us
  if ! relay_stage; then
    last_generation="$generation"
    set_state refused "$RELAY_ERROR; live configuration: ${live_hash:-none}"
    return 1
  fi
  # A kubelet update (..data symlink swap) between two reads: take the files at the next wake-up.
  relay_still_generation || return 1
  last_generation="$generation"
  stamp staged_us
  if ! relay_hash_candidate; then
    set_state refused "cannot hash the mounted configuration (see the log); live configuration: ${live_hash:-none}"
    return 1
  fi
  hash="$RELAY_HASH"
  mounted_hash="$hash"
  if [ "$hash" = "$live_hash" ]; then
    set_state running ""
    return 1
  fi
  if [ -n "$RELAY_EXPECTED_HASH" ] && [ "$RELAY_EXPECTED_HASH" != "$hash" ]; then
    set_state waiting "mounted files hash to $hash, config-hash says $RELAY_EXPECTED_HASH (ConfigMap and Secret not in step yet); live configuration: ${live_hash:-none}"
    return 1
  fi
  stamp hashed_us
  if ! relay_validate; then
    set_state refused "configuration $hash refused: $RELAY_ERROR; live configuration: ${live_hash:-none}"
    return 1
  fi
  stamp validated_us
  if ! relay_install; then
    # Nothing half-written is live (see relay_install). The configuration itself is fine, so try again at the
    # next poll: it goes live as soon as the volume has room again.
    last_generation=""
    set_state failed "configuration $hash could not be installed: $RELAY_ERROR; live configuration: ${live_hash:-none}"
    return 1
  fi
  RELAY_SERVICES_CHANGED=""
  [[ "$RELAY_INSTALLED" != *" master.cf "* ]] || RELAY_SERVICES_CHANGED=1
  stamp installed_us
  RELAY_INSTALLED_HASH="$hash"
}

# stamp VAR: sets VAR to the current time in microseconds (no fork).
stamp() { local stamp_us="${EPOCHREALTIME/[.,]/}"; printf -v "$1" "%s" "$stamp_us"; }

start_master() {
  postfix -c "$RELAY_CONFIG_DIR" start-fg &
  master_pid=$!
  local tries=0
  until relay_master_running; do
    if ! kill -0 "$master_pid" 2>/dev/null || [ $((tries += 1)) -gt 300 ]; then
      set_state failed "Postfix did not start, see the Postfix log ($RELAY_MAILLOG)"
      exit 1
    fi
    sleep 0.1
  done
}

# go_live [PHASES]: reports the installed configuration as live; PHASES (where the time went) goes to the log.
go_live() {
  live_hash="$RELAY_INSTALLED_HASH"
  set_state running ""
  relay_log "configuration $live_hash is live${1:+ ($1)}"
}

# phases VAR: the time of each step of the change that just went live, from the file event to the end of the reload,
# into VAR.
phases() {
  local now
  stamp now
  printf -v "$1" 'file event to start %d ms, staged %d ms, hashed %d ms, validated %d ms, installed %d ms, reloaded %d ms' \
    $(((woke_us - event_us) / 1000)) $(((staged_us - woke_us) / 1000)) $(((hashed_us - staged_us) / 1000)) \
    $(((validated_us - hashed_us) / 1000)) $(((installed_us - validated_us) / 1000)) $(((now - installed_us) / 1000))
}

# start_watch: wakes pause() as soon as a mounted directory changes (the kubelet writes a new timestamped directory
# and swaps the ..data symlink), so a new configuration is picked up within milliseconds instead of at the next
# poll. Polling every RELAY_POLL_SECONDS stays as the fallback (a Secret mounted later, a missed event, no
# inotifywait on the machine).
start_watch() {
  local dir dirs=()
  command -v inotifywait >/dev/null 2>&1 || { relay_log "inotifywait not found: polling every ${RELAY_POLL_SECONDS}s"; return 0; }
  for dir in "$RELAY_CONFIG_MOUNT" "$RELAY_SASL_MOUNT"; do [ -d "$dir" ] && dirs+=("$dir"); done
  [ ${#dirs[@]} -gt 0 ] || return 0
  coproc WATCH { exec inotifywait -m -q -e create -e moved_to -e close_write -e delete -e attrib --format '%e %f' \
    "${dirs[@]}" 2>/dev/null; }
  watch_pid="$WATCH_PID" watch_fd="${WATCH[0]}"
}

stop_watch() { [ -z "$watch_pid" ] || kill "$watch_pid" 2>/dev/null; }

# on any exit: no helper outlives the entrypoint
stop_helpers() {
  stop_watch
  [ -z "$summary_pid" ] || kill "$summary_pid" 2>/dev/null
}

pause() {
  local event
  woke_us=0
  if [ -n "$watch_fd" ] && kill -0 "$watch_pid" 2>/dev/null; then
    if read -r -t "$RELAY_POLL_SECONDS" -u "$watch_fd" event; then
      stamp event_us
      # The rest of the same update follows within microseconds: take it in one go. A kubelet update ends with the
      # ..data swap (its clean-up of the old directory wakes the next pause, which then finds nothing changed).
      while [ "$event" != "MOVED_TO ..data" ] && read -r -t 0.02 -u "$watch_fd" event; do :; done
    else
      stamp event_us
    fi
    return 0
  fi
  sleep "$RELAY_POLL_SECONDS" &
  sleep_pid=$!
  wait "$sleep_pid"
  stamp event_us
}

on_term() {
  relay_log "stopping Postfix"
  [ -z "$sleep_pid" ] || kill "$sleep_pid" 2>/dev/null
  if [ -n "$master_pid" ]; then
    postfix -c "$RELAY_CONFIG_DIR" stop
    wait "$master_pid"
  fi
  # after Postfix: its last log lines still reach stdout and the summary
  [ -z "$summary_pid" ] || { kill "$summary_pid" 2>/dev/null; wait "$summary_pid" 2>/dev/null; }
  [ -z "$httpd_pid" ] || kill "$httpd_pid" 2>/dev/null
  set_state stopped ""
  exit 0
}

now_ms() { local micros="${EPOCHREALTIME/[.,]/}"; echo $((micros / 1000)); }
next_flush=0

# drain_step (RELAY_MODE=drain): stops (exit 0) once the queue is empty, else flushes it every
# RELAY_DRAIN_FLUSH_SECONDS, so mail deferred by a next hop that is back goes out without Postfix's backoff.
drain_step() {
  local left
  left="$(relay_queue_count)"
  if [ "$left" -eq 0 ]; then
    relay_log "drain: the queue in $RELAY_QUEUE_DIR is empty"
    on_term
  fi
  if [ "$(now_ms)" -ge "$next_flush" ]; then
    relay_log "drain: $left messages queued"
    postqueue -c "$RELAY_CONFIG_DIR" -f || relay_log "postqueue -f failed"
    next_flush=$(($(now_ms) + RELAY_DRAIN_FLUSH_SECONDS * 1000))
  fi
}

trap on_term TERM INT
trap stop_helpers EXIT
prepare
if [ "$RELAY_MODE" = drain ]; then
  # the flag keeps smtpd off in every configuration installed (relay_apply_overrides)
  touch "$RELAY_DRAIN_FLAG"
  relay_log "drain mode: delivering the queue in $RELAY_QUEUE_DIR, no SMTP listener; exits when it is empty"
fi
start_status_endpoint
start_summary
start_watch
until install_mounted; do pause; done
start_master
# Mail a previous pod left deferred on the queue volume (a pod deleted while a next hop hung, say) is retried now,
# not after Postfix's backoff (minimal_backoff_time, 300 s).
postqueue -c "$RELAY_CONFIG_DIR" -f || relay_log "postqueue -f failed; deferred mail waits for its retry time"
next_flush=$(($(now_ms) + RELAY_DRAIN_FLUSH_SECONDS * 1000))
go_live
while :; do
  [ "$RELAY_MODE" != drain ] || drain_step
  pause
  if ! kill -0 "$master_pid" 2>/dev/null; then
    wait "$master_pid"
    set_state failed "the Postfix master exited with status $?"
    [ -z "$httpd_pid" ] || kill "$httpd_pid" 2>/dev/null
    [ -z "$summary_pid" ] || kill "$summary_pid" 2>/dev/null
    exit 1
  fi
  check_summary
  if install_mounted; then
    if relay_reload; then
      phases took
      go_live "$took"
      # Route transports changed: the new transport map was live a moment before the reload started the new
      # master.cf services, and mail resolved to a transport not running yet was deferred ("mail transport
      # unavailable"). Retry it now rather than after the backoff (minimal_backoff_time, 300 s).
      if [ -n "$RELAY_SERVICES_CHANGED" ]; then
        postqueue -c "$RELAY_CONFIG_DIR" -f || relay_log "postqueue -f failed; deferred mail waits for its retry time"
      fi
    else
      set_state failed "the reload failed, see the Postfix log ($RELAY_MAILLOG)"
    fi
  fi
done
