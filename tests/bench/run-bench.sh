#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: boot one kernel (default: the perf kernel) with room for 1 GiB
# buffers and 1 GiB of hugetlb, run pinmgr-bench in it, and write
# build/bench/bench.json (every figure), bench.txt (the table) and
# bench.png (ns per page against range size, a panel per backing).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() {
	cat <<USAGE
usage: run-bench.sh [-k KERNEL] [-m MB] [-o DIR] [-- PINMGR-BENCH-ARGS...]

  -k KERNEL  kernel to boot, as run-vm names them (default perf)
  -m MB      guest memory (default 4096)
  -o DIR     output directory (default build/bench)
USAGE
}

kernel=perf mem=4096 outdir=$top/build/bench
while [[ $# -gt 0 ]]; do
	case $1 in
	-k) kernel=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-o) outdir=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done

"$top/tests/vm/install-deps.sh"
mkdir -p "$outdir"
rm -f "$outdir"/bench.{json,txt,png} "$outdir"/vm.out
log=$outdir/console.log

echo "# make bench on kernel $kernel (${mem} MiB); host load: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
# -e: edu and the test importer, for the exported leases' rows; udmabuf's
# own limit (64 MiB) would refuse the 1 GiB rows.
"$top/tests/vm/run-vm" -k "$kernel" -m "$mem" -t 5400 -l "$log" -e \
	-a udmabuf.size_limit_mb=2048 -- \
	sh /pinmgr/bin/guest-bench.sh "$@" | tee "$outdir/vm.out" ||
	status=$?

"$here/bench-output.sh" extract table "$outdir/vm.out" >"$outdir/bench.txt"
"$here/bench-output.sh" extract json "$outdir/vm.out" >"$outdir/bench.json"
fail=0
if ! "$top/tests/vm/splat-scan.sh" "$log"; then
	echo "run-bench: kernel splat in $log" >&2
	fail=1
fi
if [[ $status -ne 0 ]]; then
	echo "run-bench: the VM run failed (status $status); console: $log" >&2
	fail=1
fi
if grep -q '^not ok' "$outdir/vm.out"; then
	echo "run-bench: a check in the VM failed (see 'not ok' above)" >&2
	fail=1
fi
if ! jq -e . "$outdir/bench.json" >/dev/null 2>&1; then
	echo "run-bench: no valid JSON came back from the VM" >&2
	exit 1
fi
problems=$("$here/bench-output.sh" problems "$outdir/bench.json")
if [[ -n $problems ]]; then
	echo "run-bench: figures missing from the run:" >&2
	printf '  %s\n' "${problems//$'\n'/$'\n'  }" >&2
	fail=1
fi
"$here/bench-output.sh" plot "$outdir/bench.json" "$outdir/bench.png"
echo "# wrote $outdir/bench.json, bench.txt, bench.png"
exit $fail
