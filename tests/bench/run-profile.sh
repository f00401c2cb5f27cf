#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-profile: where the time of one small PIN+UNPIN goes. Boots the
# perf kernel with the host's perf (Debian's linux-perf, installed here if
# missing), times each interface's cycle on one 4 KiB page alone, profiles
# the same loop, and writes build/bench/profile.txt. See docs/benchmarks.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() {
	cat <<USAGE
usage: run-profile.sh [-k KERNEL] [-s SECONDS] [-o DIR] [ID...]

  -k KERNEL   kernel to boot, as run-vm names them (default perf)
  -s SECONDS  length of each loop, timed and profiled (default 4)
  -o DIR      output directory (default build/bench)
  ID          pinmgr-bench --loop interfaces (default: null-ioctl-pair
              getppid-pair pinmgr-wl io_uring)
USAGE
}

kernel=perf secs=4 outdir=$top/build/bench
while [[ $# -gt 0 ]]; do
	case $1 in
	-k) kernel=$2; shift 2 ;;
	-s) secs=$2; shift 2 ;;
	-o) outdir=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -gt 0 ]] || set -- null-ioctl-pair getppid-pair pinmgr-wl io_uring

"$top/tests/vm/install-deps.sh" linux-perf
perf=$(command -v perf)
mkdir -p "$outdir"
out=$outdir/profile.txt
log=$outdir/profile-console.log
echo "# make bench-profile on kernel $kernel; host load: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$top/tests/vm/run-vm" -k "$kernel" -m 2048 -t 1800 -l "$log" -x "$perf" -- \
	sh /pinmgr/bin/guest-profile.sh "$secs" "$@" | tee "$out" || status=$?
if ! "$top/tests/vm/splat-scan.sh" "$log"; then
	echo "run-profile: kernel splat in $log" >&2
	status=1
fi
if grep -q '^not ok' "$out"; then
	echo "run-profile: a step in the VM failed (see 'not ok' above)" >&2
	status=1
fi
echo "# wrote $out"
exit "$status"
