#!/usr/bin/env bash
# Start benchmark (docs/benchmarks.md): the packaged operator jar started RUNS times as its image starts it, each time
# until /q/health/ready answers and its first reconcile (of the one MailRelay) has ended, then stopped with SIGTERM.
#
#   bench/start.sh [RUNS]      default 7
#
# One control plane (etcd + kube-apiserver) with the CRDs, one namespace and one MailRelay, so that every start lists
# and watches what a real start does and reconciles once. The JVM runs with the image's JAVA_OPTS and its CDS archive,
# made here by src/main/docker/operator/cds-archive.sh as the image build makes it, with -XX:MaxRAM set to the chart's
# memory limit (the heap the pod's JVM would size) and without a kubeconfig (the pod has none). Prints a Markdown table:
# time to the first log line, to ready and to the first reconcile's begin and end (JOSDK's debug lines: ready comes
# about when the first reconcile begins, not when it ends), process CPU at ready, CPU by thread group, and where the
# classes of a start came from (one more start with -Xlog:class+load), and the garbage collector's pauses before
# ready (-Xlog:gc). Extra JVM options: BENCH_JAVA_OPTS. BENCH_COMPARE_OPTS="OPTIONS" compares: each round starts once
# without and once with OPTIONS added (in alternating order, so that the VM's drift falls on both), and the table
# gets a column for each.
# Stops everything it started.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
RUNS="${1:-7}"
WORK="${BENCH_DIR:-/tmp/mailroute-bench-start}"
export MAILROUTE_STATE="$WORK/control-plane"
LIMIT_MIB="$(chart_memory_limit_mib)"
IMAGE_JAVA_OPTS="$(image_java_opts)"
export_image_malloc_arenas
JAR=target/mailroute-operator-runner.jar
operator_pid=""
cleanup() {
  [ -z "$operator_pid" ] || kill -9 "$operator_pid" 2>/dev/null || true
  hack/control-plane.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

install_control_plane
package_operator_jar
mkdir -p "$WORK"
make_cds_archive "$WORK/app-cds.jsa" "$IMAGE_JAVA_OPTS"
JAVA_OPTS="$(using_cds_archive "$IMAGE_JAVA_OPTS" "$WORK/app-cds.jsa")"
JAVA_OPTS="$JAVA_OPTS -XX:MaxRAM=${LIMIT_MIB}m ${BENCH_JAVA_OPTS:-}"

hack/control-plane.sh stop >/dev/null 2>&1 || true
eval "$(hack/control-plane.sh start)"
crds_and_relay bench bench relay.bench.test

# JOSDK's debug lines say when the first reconcile (the MailRelay's) begins and ends
RECONCILE_LOG=(
  '-Dquarkus.log.category."io.javaoperatorsdk.operator.processing.event.ReconciliationDispatcher".level=DEBUG'
  '-Dquarkus.log.category."io.javaoperatorsdk.operator.processing.event.EventProcessor".level=DEBUG')

start_once() {  # LOG [JVM OPTION...]: one start until ready and its first reconcile, and its stop; appends
  # "first_ms ready_ms cpu_ms start_epoch_ms" to $WORK/results and writes LOG.threads (CPU ms by thread group at ready)
  local log=$1 port t0 first="" ready pid
  shift
  port="$(free_port)"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
  env -u KUBECONFIG \
    QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL="$MAILROUTE_API_URL" QUARKUS_KUBERNETES_CLIENT_TOKEN="$MAILROUTE_API_TOKEN" \
    QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE="$MAILROUTE_API_CA_FILE" MAILROUTE_LEADER_ELECTION_NAMESPACE=default \
    MAILROUTE_DNS_SERVERS=127.0.0.1:9 QUARKUS_HTTP_PORT="$port" \
    java $JAVA_OPTS "$@" "${RECONCILE_LOG[@]}" -jar "$JAR" >"$log" 2>&1 &
  operator_pid=$!
  pid=$operator_pid
  for _ in $(seq 1 3000); do
    [ -n "$first" ] || ! [ -s "$log" ] || first=$((($(date +%s%N) - t0) / 1000000))
    curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready" && break
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "the operator exited, see $log"; }
    sleep 0.02
  done
  ready=$((($(date +%s%N) - t0) / 1000000))
  for t in /proc/"$pid"/task/*; do
    printf '%s %s\n' "$(awk '{print ($14 + $15) * 10}' "$t/stat")" "$(sed 's/[-0-9]*$//' "$t/comm")"
  done | awk '{ms = $1; $1 = ""; sub(/^ /, ""); c[$0] += ms} END {for (k in c) if (c[k] > 0) print c[k] "\t" k}' \
    | sort -rn >"$log.threads"
  local cpu; cpu=$(awk '{print ($14 + $15) * 10}' "/proc/$pid/stat")
  # the first reconcile ends after ready
  for _ in $(seq 1 500); do
    grep -q "mailrelay.*Event processing finished" "$log" && break
    sleep 0.02
  done
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  operator_pid=""
  echo "${first:-0} $ready $cpu $((t0 / 1000000))" >>"$WORK/results"
}

log "$RUNS starts${BENCH_COMPARE_OPTS:+, each once without and once with $BENCH_COMPARE_OPTS}"
rm -f "$WORK"/results*
# one start not counted: it adds the MailRelay's finalizer and creates its objects (its first reconcile does only
# the former), so that every counted start finds what a restarted operator finds
start_once "$WORK/operator-first.log"
for i in $(seq 1 "$RUNS"); do
  variants="a"
  [ -z "${BENCH_COMPARE_OPTS:-}" ] || { variants="a b"; [ $((i % 2)) -eq 1 ] || variants="b a"; }
  for v in $variants; do
    extra=""
    [ "$v" = a ] || extra="$BENCH_COMPARE_OPTS"
    # shellcheck disable=SC2086 # extra holds several flags
    start_once "$WORK/operator-$v$i.log" $extra "-Xlog:gc:file=$WORK/operator-$v$i.log.gc"
    tail -n 1 "$WORK/results" >>"$WORK/results.$v"
    sleep 1  # the Lease is released on stop; the next start takes it at once
  done
done
start_once "$WORK/operator-classes.log" "-Xlog:class+load=info:file=$WORK/classes.txt"
python3 - "$WORK" "$JAVA_OPTS; MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-unset}" "$RUNS" "${BENCH_COMPARE_OPTS:-}" <<'PY'
import collections, datetime, re, statistics, sys
work, opts, runs, compare = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
variants = ["a", "b"] if compare else ["a"]
def fmt(values):
    return f"median {statistics.median(values) / 1000:.2f} s ({min(values) / 1000:.2f}-{max(values) / 1000:.2f})"
def gc_before(log, ready_ms):  # (pauses, their ms) that began before ready, from -Xlog:gc's uptime stamps
    pauses = [(float(m.group(1)), float(m.group(2))) for m in
              re.finditer(r"^\[([0-9.]+)s\].*Pause.* ([0-9.]+)ms$", open(log).read(), re.M)]
    before = [ms for at, ms in pauses if at * 1000 < ready_ms]
    return len(before), sum(before)
def first_reconcile(log, t0):  # ms from t0 to the first "Handling dispatch" and "Event processing finished" lines
    # of the MailRelay controller's threads, from the log's wall-clock stamps
    found = [None, None]
    for line in open(log, errors="replace"):
        if "mailrelay" not in line:
            continue
        k = 0 if "Handling dispatch" in line else 1 if "Event processing finished" in line else None
        if k is None or found[k] is not None:
            continue
        at = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")  # local time, as the JVM logs
        found[k] = int(at.timestamp() * 1000) - t0
    return found
rows = collections.defaultdict(list)
for v in variants:
    results = [tuple(map(int, line.split())) for line in open(f"{work}/results.{v}")]
    threads = collections.defaultdict(list)
    gcs = []
    reconciles = []
    for i, (first, ready, cpu, t0) in enumerate(results, 1):
        reconciles.append(first_reconcile(f"{work}/operator-{v}{i}.log", t0))
        for line in open(f"{work}/operator-{v}{i}.log.threads"):
            ms, name = line.rstrip("\n").split("\t")
            threads[name].append(int(ms))
        gcs.append(gc_before(f"{work}/operator-{v}{i}.log.gc", ready))
    rows["`java` until the first log line"].append(fmt([r[0] for r in results]))
    rows["`java` until `/q/health/ready` answers"].append(fmt([r[1] for r in results]))
    for k, name in ((0, "begins"), (1, "ends")):
        got = [r[k] for r in reconciles if r[k] is not None]
        rows[f"`java` until the first reconcile {name} (the MailRelay's)"].append(
            fmt(got) + ("" if len(got) == len(reconciles) else f", {len(reconciles) - len(got)} not seen"))
    rows["process CPU at ready"].append(fmt([r[2] for r in results]))
    top = sorted(threads.items(), key=lambda kv: -statistics.median(kv[1]))[:6]
    rows["CPU at ready by thread (median)"].append(
        ", ".join(f"{name}: {statistics.median(ms) / 1000:.2f} s" for name, ms in top))
    rows["collector pauses before ready (median)"].append(
        f"{statistics.median(n for n, _ in gcs):g}, {statistics.median(ms for _, ms in gcs):.0f} ms")
sources = collections.Counter()
for line in open(f"{work}/classes.txt"):
    m = re.search(r" source: (.*)$", line)
    if not m:
        continue
    s = m.group(1)
    sources["the CDS archive" if s == "shared objects file" else "the jar" if s.endswith(".jar") or "/target/" in s
            else "the JDK's modules" if s.startswith("jrt:") else "defined at run time (lambdas, proxies, accessors)"] += 1
if compare:
    print(f"| operator start ({runs} rounds, `{opts}`) | as is | with `{compare}` |\n|---|---|---|")
else:
    print(f"| operator start ({runs} starts, `{opts}`) | |\n|---|---|")
for name, cells in rows.items():
    print(f"| {name} | " + " | ".join(cells) + " |")
print("| classes of a start loaded from | " + ", ".join(f"{k}: {v}" for k, v in sources.most_common()) + " |"
      + (" |" if compare else ""))
PY
