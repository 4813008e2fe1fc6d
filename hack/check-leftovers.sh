#!/usr/bin/env bash
# check-leftovers.sh RUN_ID : after a test run, finds what the tests started and did not stop: every process whose
# environment carries MAILROUTE_TEST_RUN=RUN_ID (hack/test.sh gives it to Maven, and so to every process the test
# JVMs start: entrypoints, sinks, knotd, etcd, kube-apiserver, operators) and every Postfix daemon outside the
# system queue (Postfix scrubs the environment, so its processes are found by binary and working directory).
# Lists them, kills them, and exits 1 when there were any; 0 when nothing was left.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $0 RUN_ID"
marker="MAILROUTE_TEST_RUN=$1"

leftovers() {
  local dir pid exe cwd
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
    exe="$(readlink "$dir/exe" 2>/dev/null)" || continue
    if tr '\0' '\n' < "$dir/environ" 2>/dev/null | grep -qxF "$marker"; then
      echo "$pid"
    elif [[ "$exe" == /usr/lib/postfix/sbin/* ]]; then
      cwd="$(readlink "$dir/cwd" 2>/dev/null)" || continue
      [ "$cwd" = /var/spool/postfix ] || echo "$pid"
    fi
  done
}

# Processes that are exiting right now (a JVM's shutdown hooks just signalled them) get a few seconds.
deadline=$(($(date +%s) + 10))
while found="$(leftovers)" && [ -n "$found" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.5; done
[ -n "$found" ] || { log "no test process left running"; exit 0; }

log "ERROR: the tests left these processes running:"
# shellcheck disable=SC2086  # one PID per word
ps -o pid,ppid,etime,args -p "$(echo $found | tr ' ' ',')" >&2 || true
# shellcheck disable=SC2086
kill -TERM $found 2>/dev/null || true
sleep 2
# shellcheck disable=SC2086
kill -KILL $found 2>/dev/null || true
exit 1
