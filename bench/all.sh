#!/usr/bin/env bash
# Every benchmark behind the scale issue's targets, one after another, as one report (docs/benchmarks.md):
#   bench/all.sh            prints Markdown and keeps a copy in $BENCH_DIR/report-<UTC time>.md
#
# Runs, in this order (each script's own header says what it measures):
#   bench/dns.sh 10000          the DNS engine and the operator's DNS path against dnsperf and adnshost
#   bench/check.sh 1 10000      `mailroute check` of 1 and of 10,000 domains
#   bench/start.sh 7            operator start until ready, as the image starts it
#   bench/scale.sh 10000        10,000 routes on the real API server, BENCH_EDITS edits (default here 40)
#   bench/plan.sh 10000 100000  planning + rendering one relay
#   bench/relay.sh              a changed configuration until live, ours against a Postfix stop/start
# The in-process Java benchmarks (dns, plan) run with the operator image's collector and JIT: the options of the
# JAVA_OPTS in src/main/docker/operator/Dockerfile that choose them (-XX:+Use*GC, *SurvivorRatio, TieredStopAtLevel,
# CICompilerCount), without its heap sizing and CDS archive (start and scale use the image's JAVA_OPTS whole). A
# script that fails is reported as failed and the others still run; the exit status is then 1.
# The scripts share the machine: run nothing else meanwhile (on a VM the same work's speed drifts within minutes;
# the report starts and ends with the load average). Takes about 15 minutes on 2 cores (13 at 2dec5a7).
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
[ $# -eq 0 ] || die "usage: bench/all.sh (no arguments; the sizes are those the targets name)"

# image_jit_gc_opts : the operator image's collector and JIT options (its JAVA_OPTS without heap sizing or CDS).
image_jit_gc_opts() {
  local opt kept=()
  for opt in $(image_java_opts); do
    case "$opt" in
      -XX:+Use*GC | -XX:SurvivorRatio=* | -XX:TargetSurvivorRatio=* | -XX:TieredStopAtLevel=* | -XX:CICompilerCount=*)
        kept+=("$opt") ;;
    esac
  done
  printf '%s\n' "${kept[*]}"
}

JIT_GC="$(image_jit_gc_opts)"
[ -n "$JIT_GC" ] || die "no collector or JIT options in the image's JAVA_OPTS"
WORK="${BENCH_DIR:-/tmp/mailroute-bench}"
mkdir -p "$WORK"
REPORT="$WORK/report-$(date -u +%Y%m%dT%H%M%SZ).md"
failed=()

# section TITLE ENV... -- COMMAND... : runs one benchmark with the given environment, its Markdown into the report.
section() {
  local title="$1" envs=() shown="" e start rc
  shift
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  # the command as it can be pasted: NAME="value" for each variable (a value may hold several flags)
  for e in "${envs[@]}"; do shown+="${e%%=*}=\"${e#*=}\" "; done
  shown+="$*"
  start="$(date -u +%H:%M:%S)"
  log "running: $shown"
  printf '\n## %s\n\n`%s`, started %s UTC, load average %s\n\n' "$title" "$shown" "$start" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$REPORT"
  rc=0
  env "${envs[@]}" "$@" >>"$REPORT" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '\n**failed** (exit status %s); its log went to stderr.\n' "$rc" >>"$REPORT"
    failed+=("$title")
  fi
}

{
  printf '# Benchmarks, %s UTC\n\n' "$(date -u '+%Y-%m-%d %H:%M')"
  printf -- '- revision: %s%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  printf -- '- machine: %s cores, %s MiB memory, %s; %s\n' "$(nproc)" \
    "$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))" "$(uname -r)" \
    "$(java -version 2>&1 | head -1)"
  printf -- '- load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf -- '- the image'"'"'s collector and JIT for the in-process runs: `%s`\n' "$JIT_GC"
} >"$REPORT"

section "DNS" "DNS_JAVA_OPTS=$JIT_GC" -- bench/dns.sh 10000
section "mailroute check" -- bench/check.sh 1 10000
section "Operator start" -- bench/start.sh 7
section "Scale" "BENCH_EDITS=${BENCH_EDITS:-40}" -- bench/scale.sh 10000
section "Planning one relay" "PLAN_JAVA_OPTS=$JIT_GC" -- bench/plan.sh 10000 100000
section "Relay: a changed configuration until live" -- bench/relay.sh

printf '\nload average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$REPORT"
[ ${#failed[@]} -eq 0 ] || printf '\n**Failed:** %s\n' "${failed[*]}" >>"$REPORT"
cat "$REPORT"
log "report: $REPORT"
[ ${#failed[@]} -eq 0 ]
