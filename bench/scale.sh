#!/usr/bin/env bash
# Scale benchmark (docs/benchmarks.md): the real API server (etcd + kube-apiserver), a local knot serving one zone
# with a domain per route, and the packaged operator jar validating every route against it.
#
#   bench/scale.sh [N ...]     default: 1000 10000
#
# For each N, on a fresh control plane: operator start until /q/health/ready; N MailRoutes (one domain each, target
# mx) created through the API; time from the last create until every route is Ready and all N lines are in the
# relay ConfigMap; 20 single-route edits timed until the new line is in the ConfigMap; API requests by verb and
# resource (the API server's own counters); the operator's peak RSS; SIGTERM until the operator exited.
# Prints a Markdown table per N; all processes it starts are stopped on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(1000 10000); fi
WORK="${BENCH_DIR:-/tmp/mailroute-bench}"
export MAILROUTE_STATE="$WORK/control-plane"
EDITS="${BENCH_EDITS:-20}"
# The operator runs as in its pod: the image's JVM options and MALLOC_ARENA_MAX (src/main/docker/operator/Dockerfile) inside a memory
# cgroup with the chart's limit (charts/mailroute-operator/values.yaml resources.limits.memory), so the JVM sizes its
# heap and picks its collector from that limit, and the kernel enforces it. Without a writable cgroup (v1 memory
# controller) the limit is passed as -XX:MaxRAM instead. Extra JVM options: BENCH_JAVA_OPTS.
LIMIT_MIB="$(chart_memory_limit_mib)"
LIMIT_MIB="${BENCH_MEMORY_LIMIT_MIB:-$LIMIT_MIB}"  # e.g. to size the limit for a number of routes
IMAGE_JAVA_OPTS="$(image_java_opts)"
# the image's malloc arena limit too (glibc's default is one arena per thread, up to 8 per core)
export_image_malloc_arenas
MEMCG=""
memcg_parent="/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory:\(.*\)/\1/p' /proc/self/cgroup)"
if [ -w "$memcg_parent" ] && mkdir -p "$memcg_parent/mailroute-bench-$$" 2>/dev/null; then
  MEMCG="$memcg_parent/mailroute-bench-$$"
  echo $((LIMIT_MIB * 1024 * 1024)) > "$MEMCG/memory.limit_in_bytes"
  JAVA_OPTS="$IMAGE_JAVA_OPTS ${BENCH_JAVA_OPTS:-}"
  LIMIT_NOTE="memory cgroup limit ${LIMIT_MIB} MiB"
else
  JAVA_OPTS="$IMAGE_JAVA_OPTS -XX:MaxRAM=${LIMIT_MIB}m ${BENCH_JAVA_OPTS:-}"
  LIMIT_NOTE="-XX:MaxRAM=${LIMIT_MIB}m (no writable memory cgroup)"
fi
operator_pid="" knot_pid=""

cleanup() {
  [ -z "$operator_pid" ] || kill -9 "$operator_pid" 2>/dev/null || true
  [ -z "$knot_pid" ] || kill "$knot_pid" 2>/dev/null || true
  hack/control-plane.sh stop >/dev/null 2>&1 || true
  [ -z "$MEMCG" ] || rmdir "$MEMCG" 2>/dev/null || true
}
trap cleanup EXIT

install_control_plane
hack/dns-server.sh install
# Always package: a jar newer than every source file can still hold classes compiled before the last edit.
package_operator_jar
# The image's CDS archive (src/main/docker/operator/cds-archive.sh), made here as the image build makes it, by this
# machine's JVM from the jar just packaged: a JVM told to use a missing archive would share nothing at all.
case " $JAVA_OPTS " in
  *" -XX:SharedArchiveFile=$IMAGE_CDS_ARCHIVE "*)
    make_cds_archive "$WORK/app-cds.jsa" "$IMAGE_JAVA_OPTS"
    JAVA_OPTS="$(using_cds_archive "$JAVA_OPTS" "$WORK/app-cds.jsa")" ;;
esac

start_knot() {  # N: bench/knot.sh serves bench.test with N domains; sets DNS_SERVER and knot_pid
  eval "$(bench/knot.sh "$1" "$WORK/dns")"
}

api_requests() {  # the API server's request counters, summed per "VERB resource"
  "$MAILROUTE_KUBECTL" get --raw /metrics | python3 -c '
import re, sys, json
totals = {}
for line in sys.stdin:
    if line.startswith("apiserver_request_total{"):
        labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", line))
        key = labels.get("verb", "") + " " + labels.get("resource", "") + ("/" + labels["subresource"] if labels.get("subresource") else "")
        totals[key] = totals.get(key, 0) + float(line.rsplit(" ", 1)[1])
json.dump(totals, sys.stdout)'
}

relay_timers() {  # PORT: the operator's relay plan/render/write timers, as {"name": [count, sum_seconds]}
  curl -sf "http://127.0.0.1:$1/q/metrics" | python3 -c '
import sys, json
t = {}
for line in sys.stdin:
    for name in ("mailroute_relay_plan_duration_seconds", "mailroute_relay_render_duration_seconds", "mailroute_relay_write_duration_seconds"):
        for part, i in (("_count", 0), ("_sum", 1)):
            if line.startswith(name + part + " ") or line.startswith(name + part + "{"):
                t.setdefault(name, [0, 0.0])[i] += float(line.rsplit(" ", 1)[1])
json.dump(t, sys.stdout)'
}

run_size() {
  local n="$1" t0 ready_ms out before after peak term_ms
  log "== $n routes"
  hack/control-plane.sh stop >/dev/null 2>&1 || true
  eval "$(hack/control-plane.sh start)"
  start_knot "$n"
  crds_and_relay bench bench relay.bench.test
  local port; port="$(free_port)"
  t0=$(date +%s%N)
  # no kubeconfig, as in the pod (the client would read and parse it while starting)
  env -u KUBECONFIG \
  QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL="$MAILROUTE_API_URL" QUARKUS_KUBERNETES_CLIENT_TOKEN="$MAILROUTE_API_TOKEN" \
  QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE="$MAILROUTE_API_CA_FILE" MAILROUTE_LEADER_ELECTION_NAMESPACE=default \
  MAILROUTE_DNS_SERVERS="$DNS_SERVER" QUARKUS_HTTP_PORT="$port" \
    sh -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift; exec java "$@"' -- "$MEMCG" $JAVA_OPTS \
      -jar target/mailroute-operator-runner.jar >"$WORK/operator-$n.log" 2>&1 &
  operator_pid=$!
  WAIT_SECONDS=60 wait_for curl -sf "http://127.0.0.1:$port/q/health/ready" || die "operator not ready, see $WORK/operator-$n.log"
  ready_ms=$((($(date +%s%N) - t0) / 1000000))
  before="$(api_requests)"
  out="$(BENCH_OPERATOR_PID="$operator_pid" python3 bench/driver.py create "$n")"
  after="$(api_requests)"
  local edit timers_before timers_after
  timers_before="$(relay_timers "$port")"
  edit="$(python3 bench/driver.py edit "$EDITS" "$n")"
  timers_after="$(relay_timers "$port")"
  peak="$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$operator_pid/status")"
  local series; series="$(curl -sf "http://127.0.0.1:$port/q/metrics" | grep -vc '^#' || true)"
  t0=$(date +%s%N)
  kill -TERM "$operator_pid"
  for _ in $(seq 1 600); do kill -0 "$operator_pid" 2>/dev/null || break; sleep 0.05; done
  term_ms=$((($(date +%s%N) - t0) / 1000000))
  kill -0 "$operator_pid" 2>/dev/null && { log "operator still running 30 s after SIGTERM; killing it"; kill -9 "$operator_pid"; }
  wait "$operator_pid" 2>/dev/null || true
  operator_pid=""
  kill "$knot_pid" 2>/dev/null || true; knot_pid=""
  python3 - "$n" "$ready_ms" "$out" "$before" "$after" "$edit" "$peak" "$term_ms" "$JAVA_OPTS; MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-unset}; $LIMIT_NOTE" "$series" "$timers_before" "$timers_after" <<'PY'
import json, sys
n, ready_ms, out, before, after, edit, peak, term_ms, java_opts, series, tb, ta = sys.argv[1:]
out, before, after, edit, tb, ta = (json.loads(x) for x in (out, before, after, edit, tb, ta))
delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
total = sum(delta.values())
top = sorted(((v, k) for k, v in delta.items() if v > 0), reverse=True)[:6]
print(f"| routes | {n} |\n|---|---|")
print(f"| operator start until /q/health/ready | {int(ready_ms) / 1000:.1f} s |")
print(f"| creating the routes (8 client threads) | {out['create_seconds']} s |")
print(f"| last create until all {n} lines in the ConfigMap | {out['lines_after_last_create_s']} s |")
print(f"| last create until every route Ready | {out['ready_after_last_create_s']} s ({out['ready']}/{n} Ready) |")
print("| routes by status writes seen while creating and settling (the driver's watch; it misses writes when the API server drops it as too slow, the request counters below are exact) | " + ", ".join(f"{k} writes: {v}" for k, v in out['routes_by_writes'].items()) + " |")
print("| what a third or later status write changed (first 5 seen) | " + "; ".join(out['third_write_changes']) + " |")
print("| commonest sequences of 3+ status writes (Accepted/Programmed reason/Ready) | " + "; ".join(f"{c}x {s}" for s, c in out['top_sequences_3plus']) + " |")
print(f"| API requests during create+settle | {int(total)} ({total / int(n):.1f} per route) |")
print(f"| busiest requests | {', '.join(f'{k}: {int(v)}' for v, k in top)} |")
print(f"| one route edited, until its line is in the ConfigMap ({edit['edits']} edits) | p50 {edit['p50_ms']:.0f} ms, p99 {edit['p99_ms']:.0f} ms |")
def timer(name):
    c = ta.get(name, [0, 0])[0] - tb.get(name, [0, 0])[0]
    return f"{c:.0f} times, mean {1000 * (ta.get(name, [0, 0])[1] - tb.get(name, [0, 0])[1]) / c:.0f} ms" if c else "none"
print(f"| relay reconciles during the edits: planning; laying out (file order, shards, config-hash, part digests); writing ConfigMaps and other objects | {timer('mailroute_relay_plan_duration_seconds')}; {timer('mailroute_relay_render_duration_seconds')}; {timer('mailroute_relay_write_duration_seconds')} |")
print(f"| status writes during the {edit['edits']} edits (+5 s) | edited routes: {edit['edited_status_writes']} ({edit['edited_status_writes'] / edit['edits']:.1f} per edit); all other routes: {edit['other_status_writes']} |")
print(f"| operator peak RSS (`{java_opts}`) | {peak} MiB |")
print(f"| time series in /q/metrics | {series} |")
print(f"| SIGTERM until the operator exited | {int(term_ms)} ms |")
print()
PY
}

mkdir -p "$WORK"
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1)"
for n in "${SIZES[@]}"; do run_size "$n"; done
