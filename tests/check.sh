#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: run the whole suite in VMs on each kernel given (default: every
# kernel of the matrix, 5.10 to experimental, PREEMPT_RT and the debug 6.12),
# scan every console log for kernel splats, and end with one line
# "N passed, N failed, N skipped". Exits non-zero on any failure, any splat,
# or a VM that did not report an exit status.
#
# Each kernel boots twice: once for the suite, once with part of its memory
# in ZONE_MOVABLE (movablecore=) for the tests named movable_*, which need
# their memory to start there. The debug kernel boots a third time for
# `pinmgr-bench --quick`, judged on running cleanly, never on timings.
# Each VM declares what it was set up for in PINMGR_REQUIRE (see
# tests/harness.h): a test that needs it and skips there fails. A test
# binary that reports fewer tests than it planned, or exits with a failure
# its TAP lines do not show, fails too.
# Last, the packaging stage (tests/pkg/check-pkg.sh): make install, the
# Debian packages, dkms build for every kernel, and the packages installed
# with dpkg -i and used in a 6.12 VM.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$top/build/check
mkdir -p "$out"
rm -f "$out"/*.tap "$out"/*-console.log* "$out"/*-bench.out "$out"/*-bench.json \
	"$out"/*.prom "$out"/*-promtool.log

kernels=("$@")
[[ ${#kernels[@]} -gt 0 ]] || kernels=(5.10 6.1 6.12 6.12-rt sid experimental debug)

passed=0 failed=0 skipped=0
summary=()
start=$SECONDS

# count TAP-FILE LABEL T0: add a TAP file's results to the totals.
count() {
	local p s f
	p=$(grep -cE '^ok ' "$1")
	s=$(grep -cE '^ok .*# SKIP' "$1")
	f=$(grep -cE '^not ok ' "$1")
	p=$((p - s))
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	summary+=("$(printf '%-32s %4d passed, %d failed, %d skipped in %ds' \
		"$2:" "$p" "$f" "$s" $((SECONDS - $3)))")
}

# The kernel's own modules of every VM; a stage that needs more gives
# run-vm a later -M "$base_kmods ...", which replaces this one.
base_kmods="loop ext4 fuse vgem vivid"
# Soft-RoCE on a dummy netdev (tests/lib/rdma_scene.c). Since 7.x rdma_rxe
# no longer depends on ib_uverbs, which libibverbs needs; up to 6.12 it
# takes the crypto API's "crc32" when a device is made, and fails with
# ENOENT then, since the VMs have no modprobe to load it on demand.
rxe_kmods="rdma_rxe ib_uverbs dummy crypto-crc32"

# run_suite KERNEL LABEL RUN-VM-OPTIONS... -- SUITE-ARGS...
run_suite() {
	local k=$1 label=$2 tap log rc t0=$SECONDS
	shift 2
	tap=$out/$k-$label.tap
	log=$out/$k-$label-console.log
	echo "# === kernel $k: $label ==="
	"$here/vm/run-vm" -k "$k" -l "$log" -t "$stage_limit" \
		-M "$base_kmods" "$@" |
		tee "$tap"
	rc=${PIPESTATUS[0]}
	check_plan "$tap" "$k $label" "$rc" | tee -a "$tap"

	# The console must be free of splats: a test of its own.
	if "$here/vm/splat-scan.sh" "$log"; then
		echo "ok - no kernel splat in the console log ($k $label)" | tee -a "$tap"
	else
		echo "not ok - no kernel splat in the console log ($k $label)" | tee -a "$tap"
	fi
	if [[ $rc -ge 124 ]]; then
		echo "not ok - the VM finished and reported a status ($k $label: $rc)" | tee -a "$tap"
	fi
	check_prometheus "$tap" "$k-$label" | tee -a "$tap"
	count "$tap" "$k $label" "$t0"
}

# check_plan TAP NAME RC: every test a binary planned ("1..N") reported a
# result, and an exit status that says a test binary failed shows as a
# failed test: a runner that crashed or bailed out hides nothing.
check_plan() {
	local planned reported
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$1" |
		awk '{ n += $1 } END { print n + 0 }')
	reported=$(grep -cE '^(not )?ok [0-9]+ ' "$1")
	[[ $planned -eq $reported ]] ||
		echo "not ok - every planned test reported a result ($2: $reported of $planned)"
	if [[ $3 -ne 0 && $3 -lt 124 ]] && ! grep -q '^not ok' "$1"; then
		echo "not ok - the suite's exit status $3 shows in its results ($2)"
	fi
}

# check_prometheus TAP NAME: what `pinctl -P stats` and `pinctl -P census
# machine` printed in the
# guest ("# prometheus: " lines), checked by Prometheus's own promtool.
check_prometheus() {
	local prom metrics=$out/$2.prom
	grep -q '^# prometheus: ' "$1" || return 0
	sed -n 's/^# prometheus: //p' "$1" >"$metrics"
	if ! prom=$("$here/cli/promtool.sh" 2>"$out/$2-promtool.log"); then
		sed 's/^/# /' "$out/$2-promtool.log"
		echo "not ok - promtool check metrics: promtool could not be had ($2)"
	elif "$prom" check metrics <"$metrics" >"$out/$2-promtool.log" 2>&1; then
		echo "ok - promtool check metrics passes pinctl -P stats and census ($2)"
	else
		sed 's/^/# /' "$out/$2-promtool.log"
		echo "not ok - promtool check metrics passes pinctl -P stats and census ($2)"
	fi
}

# run_bench KERNEL: the bench in quick mode (tests/bench/check-bench.sh).
run_bench() {
	local k=$1 tap=$out/$1-bench.tap t0=$SECONDS
	echo "# === kernel $k: bench --quick ==="
	"$here/bench/check-bench.sh" "$k" "$out" | tee "$tap"
	count "$tap" "$k bench" "$t0"
}

# On a cold cache most of the time goes to compiling the debug kernel (CPU)
# and to fetching Debian kernels and making their build roots (network and
# disk): start the compile now, beside the static checks' fetches. Each
# cache step holds a lock, so whoever needs a result waits for it.
for k in "${kernels[@]}"; do
	if [[ $k == debug ]]; then
		"$here/vm/kernel.sh" debug >"$out/debug-kernel.log" 2>&1 &
	fi
done

# run-vm's boot watchdog must leave alone a guest that started, however
# quiet it is afterwards: this one says nothing for longer than the limit.
check_watchdog() {
	local k=$1 rc=0 t0=$SECONDS tap=$out/$1-run-vm.tap
	echo "# === kernel $k: run-vm's boot watchdog ==="
	PINMGR_VM_BOOT_LIMIT=20 "$here/vm/run-vm" -k "$k" -t 300 \
		-l "$out/$k-run-vm-console.log" -- sh -c 'sleep 30; exit 7' \
		>"$out/$k-run-vm.out" 2>&1 || rc=$?
	if [[ $rc -eq 7 ]] && ! grep -q 'booting again' "$out/$k-run-vm.out"; then
		echo "ok - run-vm's boot watchdog lets a quiet guest run ($k)"
	else
		sed 's/^/# /' "$out/$k-run-vm.out"
		echo "not ok - run-vm's boot watchdog lets a quiet guest run ($k: exit $rc)"
	fi | tee "$tap"
	count "$tap" "$k run-vm" "$t0"
}

echo "# === static checks ==="
t0=$SECONDS
"$here/static-checks.sh" "${kernels[@]}" | tee "$out/static.tap"
count "$out/static.tap" "static checks" "$t0"

echo "# === libpinctl and pinctl: host checks ==="
t0=$SECONDS
"$here/lib/host-checks.sh" | tee "$out/lib.tap"
count "$out/lib.tap" "library checks" "$t0"

check_watchdog "${kernels[0]}"

for k in "${kernels[@]}"; do
	suite_args=(-x movable_ -x watch_torture)
	# Debian's kernels have no fault injection: the fail-nth walk needs
	# the debug kernel, which also stresses for longer and needs room for
	# KASAN's shadow memory. Every VM has the ext2 file system (-M "loop
	# ext4"), FUSE and userfaultfd (the hostile owner's stalled buffers);
	# guest-suite.sh adds netlink once the module loads. The suite's
	# machine has QEMU's edu device behind an IOMMU for the test importer
	# (run-vm -e), and on Debian's kernels Soft-RoCE (rdma_rxe, on a dummy
	# netdev) for the tests that register RDMA memory regions: the debug
	# kernel has no RDMA.
	# A stage that hangs costs its limit, and the run has 90 minutes: each
	# limit is about four times what the stage takes (a Debian kernel's
	# suite 5 min, the debug kernel's 12; movable and watch 1 to 3).
	stage_limit=1200 short_limit=600
	case $k in
	debug)
		stage_limit=2400 short_limit=900
		vm_args=(-m 3072) suite_vm_args=()
		suite_env=(env PINMGR_STRESS_SECS=60
			PINMGR_REQUIRE="extfs failnth fuse userfaultfd edu cgroup2 tracefs perf") ;;
	*)
		vm_args=() suite_vm_args=(-M "$base_kmods $rxe_kmods")
		suite_env=(env PINMGR_REQUIRE="extfs fuse userfaultfd vgem vivid edu cgroup2 tracefs perf rxe")
		suite_args+=(-x failnth_) ;;
	esac
	# The host's perf goes in for the tracepoint tests (perf stat, record
	# and script against the driver's events).
	run_suite "$k" suite -e -x "$(command -v perf)" "${vm_args[@]}" \
		"${suite_vm_args[@]}" -- "${suite_env[@]}" \
		sh /pinmgr/bin/guest-suite.sh "${suite_args[@]}"
	stage_limit=$short_limit
	run_suite "$k" movable "${vm_args[@]}" -a movablecore=1G -- \
		env PINMGR_REQUIRE="extfs movable" \
		sh /pinmgr/bin/guest-suite.sh movable_
	# The watch torture migrates pages between NUMA nodes: Debian's
	# kernels split the guest in two (numa=fake); the debug kernel has
	# one node, and the torture leaves move_pages() out there.
	run_suite "$k" watch "${vm_args[@]}" -a numa=fake=2 -- \
		env PINMGR_REQUIRE="extfs" \
		sh /pinmgr/bin/guest-suite.sh watch_torture
	# The debug kernel has GUP_TEST, so all of the bench's columns.
	if [[ $k == debug ]]; then run_bench "$k"; fi
done

# run_pkg KERNEL...: the packaging stage.
run_pkg() {
	local tap=$out/packaging.tap t0=$SECONDS
	echo "# === packaging: make install, debs, dkms build, install test ==="
	"$here/pkg/check-pkg.sh" "$out/pkg" "$@" | tee "$tap"
	count "$tap" "packaging" "$t0"
}
run_pkg "${kernels[@]}"

echo "# ---"
printf '# %s\n' "${summary[@]}"
retried=$(find "$out" -name '*.boot-failure-*' | wc -l)
[[ $retried -eq 0 ]] ||
	echo "# $retried boot(s) died or splatted before /init ran anything and were retried: build/check/*.boot-failure-*"
echo "# wall time $((SECONDS - start))s; TAP and console logs in build/check/"
# Last, where a CI log cut to its tail still shows them: what failed, the
# diagnostics just above each failure, and every assertion message and
# fuzz operation of that test (a forked child's come long before its end).
for tap in "$out"/*.tap; do
	awk '/^(not )?ok / {
		if ($1 == "not") {
			for (i = 0; i < n; i++)
				if (i >= n - 3 || lines[i] ~ /^# [a-z0-9_]+\.c:[0-9]+: / ||
				    lines[i] ~ /^# fuzz: (.* run, thread|operation:)/)
					print lines[i]
			print
		}
		n = 0
		next
	}
	{ lines[n++] = $0 }' "$tap" | sed "s|^|# ${tap##*/}: |"
done | tail -n 40
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
