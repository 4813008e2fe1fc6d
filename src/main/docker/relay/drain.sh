#!/usr/bin/env bash
# preStop hook: stops accepting new mail, then flushes the queue until it is empty or RELAY_DRAIN_SECONDS
# have passed. Exits 0 when the queue drained, 1 when mail is left (it stays on the queue volume and is sent by
# the next Postfix that runs on it). Mail on hold is never waited for.
set -uo pipefail
# shellcheck source=relay-lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/relay-lib.sh"
# shellcheck source=relay-config.sh
source "$RELAY_LIB_DIR/relay-config.sh"

now_ms() { local micros="${EPOCHREALTIME/[.,]/}"; echo $((micros / 1000)); }
deadline=$(($(now_ms) + RELAY_DRAIN_SECONDS * 1000))
if relay_master_running; then
  # The flag makes the entrypoint keep smtpd off if it applies another configuration while we drain.
  touch "$RELAY_DRAIN_FLAG"
  postconf -c "$RELAY_CONFIG_DIR" -e "master_service_disable = inet" && relay_backdate "$RELAY_CONFIG_DIR/main.cf"
  postfix -c "$RELAY_CONFIG_DIR" reload
  relay_log "drain: no longer accepting SMTP connections, $(relay_queue_count) messages queued"
fi
next_flush=$(now_ms)
while :; do
  left="$(relay_queue_count)"
  if [ "$left" -eq 0 ]; then
    relay_log "drain: queue is empty"
    exit 0
  fi
  if [ "$(now_ms)" -ge "$deadline" ] || ! relay_master_running; then
    relay_log "drain: giving up with $left messages queued in $RELAY_QUEUE_DIR (kept for the next start)"
    exit 1
  fi
  if [ "$(now_ms)" -ge "$next_flush" ]; then
    postqueue -c "$RELAY_CONFIG_DIR" -f
    next_flush=$(($(now_ms) + RELAY_DRAIN_FLUSH_SECONDS * 1000))
  fi
  sleep 0.5
done
