#!/bin/sh
# Writes a CDS archive (AppCDS, JDK 17 dynamic archive) of the classes the operator loads while it starts, so that
# the JVM maps them from the archive, already parsed and verified, instead of loading them from the jars: operator
# start to ready about 1.5 s (a quarter) shorter on the 2-core test machine (docs/benchmarks.md).
#
#   cds-archive.sh ARCHIVE JAR      JAVA_OPTS from the environment, as the operator runs
#
# The operator image's build runs it (src/main/docker/operator/Dockerfile) with the image's own JVM, which is the
# JVM that must read the archive (an archive from another JVM build is refused); bench/scale.sh runs it with the
# machine's JVM. There is no cluster while an image builds, so the training start goes to an API server that refuses
# connections: by the time the operator gives up (the informers' first list fails, nothing retried) it has loaded
# Quarkus, CDI, config, Vert.x, Micrometer, the Kubernetes client and the SDK's controllers, most of what a real
# start loads. Exits non-zero when no archive was written.
#
# Same JVM options as the operator except the archive itself and the heap: a fixed maximum heap keeps compressed
# oops on whatever the memory of the machine that builds the image (an archive made with them off is refused by a
# JVM that has them on).
set -eu
archive=$1
jar=$2
opts=""
for o in ${JAVA_OPTS:-}; do
  case "$o" in
    -XX:SharedArchiveFile=*) ;;
    *) opts="$opts $o" ;;
  esac
done
rm -f "$archive"
# shellcheck disable=SC2086 # opts holds several flags
QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=https://127.0.0.1:1 \
QUARKUS_KUBERNETES_CLIENT_REQUEST_RETRY_BACKOFF_LIMIT=0 \
QUARKUS_KUBERNETES_CLIENT_TOKEN=training \
QUARKUS_HTTP_PORT=0 \
MAILROUTE_LEADER_ELECTION_NAMESPACE=default \
MAILROUTE_DNS_SERVERS=127.0.0.1 \
  java $opts -Xmx256m -XX:ArchiveClassesAtExit="$archive" -jar "$jar" >"$archive.log" 2>&1 || true
if [ ! -s "$archive" ]; then
  echo "cds-archive.sh: no archive written; the training start's output:" >&2
  tail -n 40 "$archive.log" >&2
  exit 1
fi
rm -f "$archive.log"
