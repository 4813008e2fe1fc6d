#!/usr/bin/env bash
# Installs what the relay tests (src/test/java/io/mailroute/relay) need: Debian's Postfix with LMDB maps, the
# Cyrus SASL client plugins, busybox (status endpoint), openssl (test CA), iproute2 (network namespaces),
# Knot DNS (DNS server inside the namespace) and swaks (SMTP client inside the namespace) with its IPv6 module
# (RelayIpv6AcceptFromTest connects from IPv6 source addresses). Idempotent.
# The system Postfix instance is never left running: the tests start their own instances in temp dirs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed"; then
  [ "$(id -u)" -eq 0 ] || die "postfix is missing and we are not root"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
apt_install postfix postfix-lmdb libsasl2-modules busybox openssl iproute2 knot knot-dnsutils swaks inotify-tools \
  libio-socket-inet6-perl

# Debian's package may have started the system instance (when it was configured before); stop it so that
# nothing listens on port 25 of the host. This is the only place that names the host's instance, on purpose;
# the relay, the demo and the tests never read /etc/postfix/main.cf (a fresh install has none).
if [ -f /etc/postfix/main.cf ] && postfix -c /etc/postfix status >/dev/null 2>&1; then
  log "stopping the system Postfix instance"
  postfix -c /etc/postfix stop >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled postfix >/dev/null 2>&1; then
  systemctl disable --now postfix >/dev/null 2>&1 || true
fi
for tool in postfix postconf postmap postqueue busybox openssl ip knotd kdig swaks inotifywait; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || die "$tool is missing after install"
done
