#!/usr/bin/env bash
# without-host-postfix.sh VIEW_DIR CMD [ARG...]
# Runs CMD in a private mount namespace whose /etc/postfix shows only what Debian's postfix package installs
# with main_mailer_type "No configuration": the meta files (postfix-files, dynamicmaps.cf, postfix-script, ...)
# and no main.cf or master.cf. That is the state of a fresh machine and of the relay image before the entrypoint's
# first install, so a Postfix command that forgets its -c fails here ("postmap: fatal: open /etc/postfix/main.cf")
# even on a developer machine whose own Postfix is configured. VIEW_DIR (created, left for the caller to delete)
# holds the copy that is mounted over /etc/postfix. CMD keeps this script's PID (exec all the way), so the caller
# can signal it directly. Needs root (mount namespaces).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 VIEW_DIR CMD [ARG...]" >&2; exit 64; }
view="$1"
shift
mkdir -p "$view"
for f in dynamicmaps.cf dynamicmaps.cf.d postfix-files postfix-files.d postfix-script post-install makedefs.out; do
  if [ -e "/etc/postfix/$f" ] || [ -L "/etc/postfix/$f" ]; then cp -a "/etc/postfix/$f" "$view/"; fi
done
# shellcheck disable=SC2016  # expanded by the inner shell
exec unshare --mount --propagation private -- \
  bash -c 'mount --bind "$0" /etc/postfix && exec "$@"' "$view" "$@"
