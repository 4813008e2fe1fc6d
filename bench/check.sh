#!/usr/bin/env bash
# `mailroute check` of N domains (one MX and its A record each) against a local knot, from the packaged jar:
#   bench/check.sh [N ...]     default: 1 10000
# Prints wall time, peak RSS, the domains reported and the exit line, for plain `java -jar` and for the flags
# hack/mailroute adds (C1 only, serial GC). See docs/benchmarks.md.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(1 10000); fi
WORK="${BENCH_DIR:-/tmp/mailroute-bench}/check"
RUNS="${BENCH_RUNS:-3}"
knot_pid=""
trap '[ -z "$knot_pid" ] || kill "$knot_pid" 2>/dev/null || true' EXIT
apt_install time
package_operator_jar
echo "| domains | JVM flags | wall, median of $RUNS | peak RSS (max) | reports | result |"
echo "|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  eval "$(bench/knot.sh "$n" "$WORK/dns")"
  seq 0 $((n - 1)) | sed 's/^/d/; s/$/.bench.test/' > "$WORK/domains"
  for flags in "" "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"; do
    python3 - "$DNS_SERVER" "$WORK/domains" "$n" "$RUNS" "$flags" <<'PY'
import subprocess, sys, time
server, domains, n, runs, flags = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
walls, rss, out = [], [], ""
for _ in range(runs):
    t0 = time.monotonic()
    # GNU time for the peak RSS of this one child (getrusage of all children would keep the maximum of all runs)
    run = subprocess.run(["/usr/bin/time", "-f", "%M", "java", *flags.split(), "-jar", "target/mailroute-operator-runner.jar",
                          "check", "--resolver", server, *domains], capture_output=True, text=True, timeout=600)
    walls.append(time.monotonic() - t0)
    rss.append(int(run.stderr.strip().splitlines()[-1]) // 1024)
    out = run.stdout
reports = sum(1 for line in out.splitlines() if line and not line.startswith((" ", "exit")))
walls.sort()
print(f"| {n:,} | {flags or '(none)'} | {walls[len(walls) // 2]:.2f} s ({', '.join(f'{w:.2f}' for w in walls)}) "
      f"| {max(rss)} MiB | {reports:,} | {out.strip().splitlines()[-1]} |")
PY
  done
  kill "$knot_pid"; knot_pid=""
done
