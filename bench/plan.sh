#!/usr/bin/env bash
# Planning + rendering one relay of N routes in-process (the work of one MailRelay reconcile), without API server:
#   bench/plan.sh [N ...]      default: 1000 10000 100000
#   PLAN_JAVA_OPTS='-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' bench/plan.sh ...   with the operator image's JIT and GC
# Prints a Markdown table (median of 7 runs after 3 warm-ups). See docs/benchmarks.md.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(1000 10000 100000); fi
cp="$(bench_classpath)"
# shellcheck disable=SC2086 # PLAN_JAVA_OPTS holds several flags
java -Xmx1g ${PLAN_JAVA_OPTS:-} -cp "$cp" io.mailroute.bench.PlanBenchmark "${SIZES[@]}"
