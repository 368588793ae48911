#!/bin/sh
# Runs before `npm run bench`: the test rig's programs (test/setup-debian.sh), plus what
# only the bench needs: GNU time, which measures every tool's wall time, CPU and peak RSS
# alike, and skopeo to compare with. crane is built by hand and named by CRANE=/path.
set -eu
sh "$(dirname "$0")/../test/setup-debian.sh"
need=""
[ -x /usr/bin/time ] || need="$need time"
command -v skopeo >/dev/null 2>&1 || need="$need skopeo"
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    echo "bench setup: installing$need" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
    exit 0
  fi
fi
echo "bench setup: missing$need (Debian packages: apt-get install$need)" >&2
[ -x /usr/bin/time ]
