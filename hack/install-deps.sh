#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the demo need. Idempotent.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v javac >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null 2>&1 || apt_install maven
apt_install lua5.4
apt_install python3 curl openssl ca-certificates
