#!/bin/sh
# Writes a static CDS archive (AppCDS) of the classes the operator loads while it starts and reconciles for the first
# time, so that the JVM maps them from the archive, already parsed, verified and linked, instead of loading them from
# the jar: operator start to ready 4.4-5.0 s -> 3.1-3.4 s on the 2-core test machine (docs/benchmarks.md).
#
#   cds-archive.sh ARCHIVE JAR [CLASSLIST]      JAVA_OPTS from the environment, as the operator runs
#
# The operator image's build runs it (src/main/docker/operator/Dockerfile) with the image's own JVM, which is the
# JVM that must read the archive (an archive from another JVM build is refused); bench/scale.sh runs it with the
# machine's JVM. The JVM must later run the same JAR, at the same path, unchanged (CDS checks its size and time).
#
# Which classes: CLASSLIST (src/main/docker/operator/start-classes.lst) lists those of a real start against an API
# server, a MailRelay and a MailRoute reconciled and the operator stopped (hack/update-start-classes.sh writes it;
# StartClassesTest fails when the jar's start loads classes it lacks). There is no cluster while an image builds, so
# this script adds the classes of a training start of its own, against an API server that refuses connections: by
# the time the operator gives up it has loaded Quarkus, CDI, config, Vert.x, Micrometer, the Kubernetes client and
# the SDK's controllers, which covers classes whose generated names change from build to build. Names that the jar
# or the JVM does not have are skipped by the dump with a warning. Exits non-zero when no usable archive was written.
#
# Why a static archive from a class list and not the JDK 17 dynamic archive (-XX:ArchiveClassesAtExit) of the
# training start, as before: the dynamic archive left out every class that was loaded but not yet linked (1,120 in the
# training start) and all that a start against a real API server adds (TLS, the model classes and deserializers of the
# informers' lists): 2,230 classes of a real start still came from the jars. A static dump links every listed class.
#
# Same JVM options as the operator except the archive itself and the heap: a fixed maximum heap keeps compressed
# oops on whatever the memory of the machine that builds the image (an archive made with them off is refused by a
# JVM that has them on).
set -eu
archive=$1
jar=$2
list=${3:-}
opts=""
for o in ${JAVA_OPTS:-}; do
  case "$o" in
    -XX:SharedArchiveFile=*) ;;
    *) opts="$opts $o" ;;
  esac
done
rm -f "$archive" "$archive.training.lst" "$archive.lst"
fail() {
  echo "cds-archive.sh: $1; the last output:" >&2
  tail -n 40 "$archive.log" >&2
  exit 1
}
# shellcheck disable=SC2086 # opts holds several flags
QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=https://127.0.0.1:1 \
QUARKUS_KUBERNETES_CLIENT_REQUEST_RETRY_BACKOFF_LIMIT=0 \
QUARKUS_KUBERNETES_CLIENT_TOKEN=training \
QUARKUS_HTTP_PORT=0 \
MAILROUTE_LEADER_ELECTION_NAMESPACE=default \
MAILROUTE_DNS_SERVERS=127.0.0.1 \
  java $opts -Xmx256m -XX:DumpLoadedClassList="$archive.training.lst" -jar "$jar" >"$archive.log" 2>&1 || true
[ -s "$archive.training.lst" ] || fail "the training start wrote no class list"
# The real start's list first (its order is the order of a start), then what only the training start loaded; each
# line once. Comment lines of the JVM's header are dropped.
cat ${list:+"$list"} "$archive.training.lst" | awk '!/^#/ && !seen[$0]++' >"$archive.lst"
# shellcheck disable=SC2086
java $opts -Xmx256m -Xshare:dump -XX:SharedClassListFile="$archive.lst" -XX:SharedArchiveFile="$archive" \
  -cp "$jar" >"$archive.log" 2>&1 || fail "the dump failed"
# the archive is usable by the operator's JVM with the operator's class path (-Xshare:on: refuse to run otherwise)
# shellcheck disable=SC2086
java $opts -Xshare:on -XX:SharedArchiveFile="$archive" -cp "$jar" -version >"$archive.log" 2>&1 \
  || fail "the JVM refuses the archive it just wrote"
rm -f "$archive.log" "$archive.training.lst" "$archive.lst"
