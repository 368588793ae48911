#!/bin/sh
# Runs before `npm run bench`: the test rig's programs and skopeo (test/setup-debian.sh),
# plus GNU time, which measures every tool's wall time, CPU and peak RSS alike. crane is
# built by hand and named by CRANE=/path.
set -eu
OCIDIST_SETUP_BENCH=1 sh "$(dirname "$0")/../test/setup-debian.sh"
[ -x /usr/bin/time ] || { echo "bench setup: /usr/bin/time is missing (Debian package: time)" >&2; exit 1; }
