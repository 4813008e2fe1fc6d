#!/usr/bin/env bash
# A route change until live in the relay, ours against a Postfix stop/start, in one run (see docs/benchmarks.md):
#   bench/relay.sh [CHANGES [INTERVAL_MS [REPEATS [DOMAINS ...]]]]   default: 10 30 3 10000 100000
# Part 1: CHANGES route changes under a steady stream of test messages (one every INTERVAL_MS through the relay to
# in-process SMTP sinks), applied (a) our way: kubelet-style ..data swap, the entrypoint wakes on inotify, validates
# and reloads Postfix (what "postfix reload" does: postsuper active, SIGHUP to the master); (b) the peer way on an
# identical instance: new maps, postfix stop, postmap, postfix start. Part 2: files changed until live at DOMAINS
# one-domain routes (sharded ConfigMaps when large), REPEATS changes each, both ways, no mail flow. Everything runs on
# loopback addresses in temp dirs and is stopped on exit. Needs root and Postfix (hack/install-relay-deps.sh). Prints
# Markdown.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
[ "$(id -u)" -eq 0 ] || die "run as root: the benchmark starts Postfix instances"
command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] || die "Postfix missing: run hack/install-relay-deps.sh"
args=("$@")
[ $# -gt 0 ] || args=(10 30 3 10000 100000)
classes="$(bench_classpath)"
log "relay benchmark ${args[*]} (load: $(cut -d' ' -f1-3 /proc/loadavg))"
# RELAY_BENCH_ROOT: a tree with src/main/docker/relay and src/test/scripts to benchmark instead of this checkout's
# scripts (e.g. an older commit's, for a before/after comparison); the classes are this checkout's.
root="${RELAY_BENCH_ROOT:-$REPO_ROOT}"
(cd "$root" && exec java -Xmx1g -cp "$classes" io.mailroute.bench.RelayReloadBenchmark "${args[@]}")
log "done (load: $(cut -d' ' -f1-3 /proc/loadavg))"
