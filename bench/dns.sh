#!/usr/bin/env bash
# DNS engine against dnsperf and adnshost, same server, same questions, same run (docs/benchmarks.md):
#   bench/dns.sh [N ...]     default: 10000
#
# For each N, knot (bench/knot.sh) serves dI.bench.test MX 10 mx(I%100).bench.test and the 100 hosts' A records
# (no AAAA: those questions get NODATA) on 127.0.88.1:53 (adnshost can only ask port 53). Measured (the median run
# by wall time is shown):
# - dnsperf, BENCH_RUNS times (default 8) before the Java runs and BENCH_RUNS times after them (the median is over
#   both; on a virtual machine the same work's CPU time drifts within minutes, so a server's limit taken only
#   before the Java runs moved the ratios with that drift): the questions the engine sends, once each: N MX, and A
#   and AAAA of every MX host; at most 256 outstanding (the engine's default of checks at once);
# - adnshost -t mx (MX plus the hosts' addresses), ADNS_RUNS times (default 1: it takes hundreds of times as long as
#   the others), fed in batches of ADNS_BATCH names (default 200; adns sends a whole batch at once and, at 500,
#   loses answers to full socket buffers and waits for its 2 s retry);
# - the engine in-process (io.mailroute.bench.DnsBenchmark): a warm-up pass, a full collection (the benchmark's own
#   fixture to the old generation), then BENCH_RUNS passes each after clearing the cache, then a re-validation pass
#   before the TTLs ran out (must send no query);
# - the operator's own path (io.mailroute.bench.DnsOperatorBenchmark): DnsValidation.refresh starts the checks in
#   the background (BackgroundChecks: mailroute.dns.concurrent-checks in flight, default 128, each an asynchronous
#   check through DomainValidator and the lookup counters) instead of DnsBenchmark's 256 checkAsync; same passes.
# DNS_JAVA_OPTS: JVM options for both Java runs (default none: G1 and C2; the operator image runs the serial collector
# and C1 only, e.g. DNS_JAVA_OPTS="-XX:+UseSerialGC -XX:SurvivorRatio=4 -XX:TargetSurvivorRatio=80
# -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1": its JAVA_OPTS in src/main/docker/operator/Dockerfile without the heap
# sizing and CDS; bench/all.sh passes exactly those).
# Prints Markdown. Only loopback; every process it starts is stopped on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(10000); fi
RUNS="${BENCH_RUNS:-8}"
ADNS_RUNS="${ADNS_RUNS:-1}"
ADNS_BATCH="${ADNS_BATCH:-200}"
ADDR="${BENCH_DNS_ADDR:-127.0.88.1}"
WORK="${BENCH_DIR:-/tmp/mailroute-bench}/dns"
knot_pid=""
trap '[ -z "$knot_pid" ] || kill "$knot_pid" 2>/dev/null || true' EXIT

apt_install dnsperf adns-tools
hack/dns-server.sh install
cp="$(bench_classpath)"
mkdir -p "$WORK"

run_size() {
  local n="$1" hosts=$(( $1 < 100 ? $1 : 100 ))
  eval "$(KNOT_ADDR="$ADDR" KNOT_PORT=53 bench/knot.sh "$n" "$WORK/knot")"
  seq 0 $((n - 1)) | sed 's/^/d/; s/$/.bench.test/' > "$WORK/names"
  { sed 's/$/ MX/' "$WORK/names"
    for m in $(seq 0 $((hosts - 1))); do echo "mx$m.bench.test A"; echo "mx$m.bench.test AAAA"; done
  } > "$WORK/questions"
  rm -f "$WORK"/dnsperf.* "$WORK"/adns.* "$WORK"/chunk.*
  split -l "$ADNS_BATCH" "$WORK/names" "$WORK/chunk."
  dnsperf_runs() { # $1 $2: numbers of the first and the last run
    for r in $(seq "$1" "$2"); do
      dnsperf -s "${DNS_SERVER%:*}" -p 53 -d "$WORK/questions" -n 1 -q 256 -t 5 > "$WORK/dnsperf.$r" 2>&1
    done
  }
  dnsperf_runs 1 "$RUNS"
  # shellcheck disable=SC2086
  java -Xmx512m ${DNS_JAVA_OPTS:-} -cp "$cp" io.mailroute.bench.DnsBenchmark "$DNS_SERVER" "$n" "$RUNS" > "$WORK/engine.jsonl"
  # shellcheck disable=SC2086
  java -Xmx512m ${DNS_JAVA_OPTS:-} -cp "$cp" io.mailroute.bench.DnsOperatorBenchmark "$DNS_SERVER" "$n" "$RUNS" \
    > "$WORK/operator.jsonl"
  dnsperf_runs $((RUNS + 1)) $((2 * RUNS))
  for r in $(seq 1 "$ADNS_RUNS"); do
    local t0; t0=$(date +%s%N)
    for f in "$WORK"/chunk.*; do
      # adnshost exits non-zero when a name fails (e.g. timed out); those are counted as lost below
      { echo "-t mx"; cat "$f"; } | adnshost --config "nameserver ${DNS_SERVER%:*}" -a -f 2>/dev/null || true
    done > "$WORK/adns.$r"
    echo $(( ($(date +%s%N) - t0) / 1000 )) > "$WORK/adns.$r.us"
  done
  kill "$knot_pid" 2>/dev/null || true; knot_pid=""
  python3 - "$WORK" "$n" "$RUNS" "$(wc -l < "$WORK/questions")" "$ADNS_BATCH" "$ADNS_RUNS" <<'PY'
import json, re, statistics, sys
work, n, runs, questions, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
adns_runs = int(sys.argv[6])

def dnsperf(r):
    text = open(f"{work}/dnsperf.{r}").read()
    num = lambda label: float(re.search(label + r":\s+([\d.]+)", text).group(1))
    return {"wall": num("Run time \\(s\\)"), "qps": num("Queries per second"), "sent": num("Queries sent"),
            "lost": num("Queries lost"), "avg_ms": num("Average Latency \\(s\\)") * 1000}

def adns(r):
    status = [l.split()[2] for l in open(f"{work}/adns.{r}") if re.match(r"^\d+ \d+ \w+ ", l)]
    return {"wall": int(open(f"{work}/adns.{r}.us").read()) / 1e6, "answered": status.count("ok"),
            "lost": n - status.count("ok")}

def median(rows):
    return sorted(rows, key=lambda x: x["wall"])[len(rows) // 2]

perf = [dnsperf(r) for r in range(1, 2 * runs + 1)]
ad = [adns(r) for r in range(1, adns_runs + 1)]
passes = [json.loads(l) for l in open(f"{work}/engine.jsonl")]
op = [json.loads(l) for l in open(f"{work}/operator.jsonl")]
op_cold = [dict(p, wall=p["wall_s"]) for p in op if p["pass"].startswith("cold")]
op_reval = [p for p in op if p["pass"] == "revalidate"][0]
cold = [dict(p, wall=p["wall_s"]) for p in passes if p["pass"].startswith("cold")]
reval = [p for p in passes if p["pass"] == "revalidate"][0]
p, a, e, o = median(perf), median(ad), median(cold), median(op_cold)
walls = lambda rows: ", ".join(f"{x['wall']:.2f}" for x in rows)
before, after = median(perf[:runs]), median(perf[runs:])
print(f"| {n:,} domains ({questions:,} distinct questions): the median run | wall | qps | lost | latency |")
print("|---|---|---|---|---|")
print(f"| dnsperf, the engine's questions once each, 256 outstanding, {runs} runs before the Java runs and {runs} "
      f"after | {p['wall']:.2f} s (before {before['wall']:.2f} s: {walls(perf[:runs])}; after {after['wall']:.2f} s: "
      f"{walls(perf[runs:])}) | {p['qps']:,.0f} | {int(p['lost'])} | avg {p['avg_ms']:.2f} ms per query |")
print(f"| adnshost -t mx, batches of {batch}, {adns_runs} run(s) | {a['wall']:.2f} s ({walls(ad)}) | - | {a['lost']} | - |")
print(f"| engine in-process, warm, cache cleared, {runs} passes | {e['wall']:.2f} s ({walls(cold)}) | {e['qps']:,.0f} "
      f"| {e['lost']} TEMPFAIL | p50 {e['p50_ms']:.1f} ms, p99 {e['p99_ms']:.1f} ms per domain check |")
print(f"| engine, re-validation before the TTLs ran out | {reval['wall_s']:.2f} s | {reval['queries']} queries sent "
      f"| {reval['lost']} TEMPFAIL | p50 {reval['p50_ms']:.2f} ms, p99 {reval['p99_ms']:.2f} ms |")
print(f"| operator path (DnsValidation, {o['concurrent_checks']} checks in flight), cache empty, {runs} passes | {o['wall']:.2f} s ({walls(op_cold)}) "
      f"| {o['qps']:,.0f} | {o['lost']} TempFail | - |")
print(f"| operator path, re-validation before the TTLs ran out | {op_reval['wall_s']:.2f} s "
      f"| {op_reval['queries']} queries sent | {op_reval['lost']} TempFail | - |")
print()
print(f"Engine wall / dnsperf wall: **{e['wall'] / p['wall']:.2f}x**; adnshost wall / engine wall: "
      f"**{a['wall'] / e['wall']:,.0f}x**. Engine queries sent per cold pass: {e['queries']:,} "
      f"({e['coalesced']} coalesced with one in flight, {e['cache_hits']:,} cache hits); process CPU per cold pass "
      f"{e.get('cpu_s', 0):.2f} s, {e.get('alloc_mb', 0):.0f} MB allocated. Operator path / dnsperf: "
      f"**{o['wall'] / p['wall']:.2f}x**; its process CPU per cold pass {o.get('cpu_s', 0):.2f} s, "
      f"{o.get('alloc_mb', 0):.0f} MB allocated.")
print()
PY
}

log "machine: $(nproc) cores; $(uptime | sed 's/.*load/load/'); $(java -version 2>&1 | head -1)"
for n in "${SIZES[@]}"; do run_size "$n"; done
log "after: $(uptime | sed 's/.*load/load/')"
