#!/bin/sh
# Runs before `npm test`: makes sure the programs the integration tests start are here.
# On Debian as root (or with passwordless sudo) it installs what is missing with apt;
# elsewhere it says what to install. The registry, htpasswd and openssl are required;
# skopeo, podman and umoci read outputs back and are used when present.
set -eu

need=""
check() { # command package
  command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
[ -x "${OCIDIST_REGISTRY_BIN:-/usr/bin/docker-registry}" ] || need="$need docker-registry"
check htpasswd apache2-utils
check openssl openssl
check curl curl
check tar tar
check gzip gzip
check zstd zstd
check tmux tmux
check zsh zsh
check fish fish
check skopeo skopeo
check podman podman
check umoci umoci
[ -e /etc/ssl/certs/ca-certificates.crt ] || need="$need ca-certificates"
# Only `npm run bench` (bench/setup.sh): GNU time measures every tool alike.
[ -n "${OCIDIST_SETUP_BENCH:-}" ] && check /usr/bin/time time
[ -z "$need" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    echo "test setup: installing$need" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
    exit 0
  fi
fi

echo "test setup: missing$need (Debian packages; install them, e.g. apt-get install$need)" >&2
# Only the first three are needed for the suite to run at all.
[ -x "${OCIDIST_REGISTRY_BIN:-/usr/bin/docker-registry}" ] && command -v htpasswd >/dev/null && command -v openssl >/dev/null
