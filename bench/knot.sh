#!/usr/bin/env bash
# bench/knot.sh N DIR: starts knotd (in the background) serving the zone bench.test with N domains dI.bench.test,
# each MX 10 mx(I%100).bench.test, and the 100 MX hosts' A records; prints `DNS_SERVER=127.0.0.1:PORT knot_pid=PID`
# for eval. The caller stops it (kill PID). KNOT_ADDR (default 127.0.0.1) and KNOT_PORT (default: a free port) choose
# where it listens: adnshost can only ask port 53, so bench/dns.sh uses a loopback address of its own on port 53.
source "$(dirname "${BASH_SOURCE[0]}")/../hack/lib.sh"
[ $# -eq 2 ] || die "usage: $0 N DIR"
n="$1" dir="$2"
rm -rf "$dir" && mkdir -p "$dir/run" "$dir/db" "$dir/zones"
addr="${KNOT_ADDR:-127.0.0.1}"
port="${KNOT_PORT:-$(free_port)}"
sed -e "s#@STATE_DIR@#$dir#g" -e "s#@LISTEN@#$addr@$port#g" "$REPO_ROOT/src/test/resources/dns/knot.conf.template" \
  | sed '/^zone:/,$d' > "$dir/knot.conf"
printf 'zone:\n  - domain: bench.test\n' >> "$dir/knot.conf"
python3 - "$n" > "$dir/zones/bench.test.zone" <<'PY'
import sys
n = int(sys.argv[1])
print("$ORIGIN bench.test.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1")
for m in range(100):
    print(f"mx{m} A 127.0.{m // 250}.{m % 250 + 1}")
for i in range(n):
    print(f"d{i} MX 10 mx{i % 100}")
PY
/usr/sbin/knotd -c "$dir/knot.conf" >"$dir/knotd.log" 2>&1 </dev/null &
pid=$!
WAIT_SECONDS=20 wait_for kdig @"$addr" -p "$port" +retry=0 +timeout=1 SOA bench.test || { kill "$pid"; die "knotd did not start"; }
echo "DNS_SERVER=$addr:$port knot_pid=$pid"
