#!/usr/bin/env bash
# JMH benchmarks of pure-Java hot paths (docs/benchmarks.md), run with the operator image's JIT and collector:
# planning a relay after one edit and with every route new, laying out its ConfigMaps (RelayPlanJmh, 1,000 and
# 10,000 routes), and parsing and reading one DNS answer (AnswerJmh).
#
#   bench/jmh.sh [JMH OPTION...]    default: every *Jmh class, 1 fork, 5 warm-up and 5 measured iterations of 1 s
#
# Options go to JMH's own command line (java -jar jmh ... -h lists them), e.g. `bench/jmh.sh -p routes=10000 RelayPlan`.
# Prints JMH's table; the same is kept in target/jmh-result.txt.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
cd "$REPO_ROOT"
cp="$(bench_classpath)"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-f 1 -wi 5 -w 1s -i 5 -r 1s 'io\.mailroute\..*Jmh')
IMAGE_JAVA_OPTS="$(image_java_opts)"
jit=""
for o in $IMAGE_JAVA_OPTS; do
  case "$o" in -XX:TieredStopAtLevel=*|-XX:+UseSerialGC) jit="$jit $o" ;; esac
done
log "JMH with the image's JIT and collector:$jit"
java -cp "$cp" org.openjdk.jmh.Main -jvmArgsAppend "$jit -Xmx1g" -rf text -rff target/jmh-result.txt "${args[@]}"
