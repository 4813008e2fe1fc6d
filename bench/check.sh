#!/usr/bin/env bash
# `mailroute check` of N domains (one MX and its A record each) against a local knot, from the packaged jar:
#   bench/check.sh [N ...]     default: 1 10000
# Prints wall time, peak RSS and the exit line. See docs/benchmarks.md.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(1 10000); fi
WORK="${BENCH_DIR:-/tmp/mailroute-bench}/check"
knot_pid=""
trap '[ -z "$knot_pid" ] || kill "$knot_pid" 2>/dev/null || true' EXIT
mvn -B -q -ntp package -Dmaven.test.skip=true
echo "| domains | wall | peak RSS | result |"
echo "|---|---|---|---|"
for n in "${SIZES[@]}"; do
  eval "$(bench/knot.sh "$n" "$WORK/dns")"
  seq 0 $((n - 1)) | sed 's/^/d/; s/$/.bench.test/' > "$WORK/domains"
  python3 - "$DNS_SERVER" "$WORK/domains" "$n" <<'PY'
import resource, subprocess, sys, time
server, domains, n = sys.argv[1], open(sys.argv[2]).read().split(), sys.argv[3]
t0 = time.monotonic()
run = subprocess.run(["java", "-jar", "target/quarkus-app/quarkus-run.jar", "check", "--resolver", server, *domains],
                     capture_output=True, text=True, timeout=600)
wall = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(f"| {int(n):,} | {wall:.2f} s | {rss} MiB | {run.stdout.strip().splitlines()[-1]} |")
PY
  kill "$knot_pid"; knot_pid=""
done
