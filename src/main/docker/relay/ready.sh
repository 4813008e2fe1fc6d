#!/usr/bin/env bash
# Readiness probe: succeeds when the local smtpd answers with a 220 banner within 5 seconds. The relay only
# starts smtpd with a validated configuration, so a banner means "delivering with a good configuration".
set -uo pipefail
# shellcheck source=relay-lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/relay-lib.sh"
read -r host port < <(relay_probe_address)
exec 3<>"/dev/tcp/$host/$port" || exit 1
IFS= read -r -t 5 banner <&3 || { echo "no SMTP banner from $host:$port" >&2; exit 1; }
printf 'QUIT\r\n' >&3
case "$banner" in
  220*) exit 0 ;;
  *) echo "unexpected SMTP banner from $host:$port: $banner" >&2; exit 1 ;;
esac
