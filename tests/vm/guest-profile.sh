#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the VM for `make bench-profile`: for each interface named, time its
# cycle alone (pinmgr-bench --loop), then profile the same loop with
# `perf record -a -g` (software cpu-clock: TCG has no PMU) and print where
# the bench process's time went, self and with callees, as shares of its
# own samples. Prints TAP lines for what must hold: the module loads and
# unloads, every loop and every profile ran.
# usage: guest-profile.sh SECONDS ID...
# shellcheck source=tests/vm/guest-common.sh
. /pinmgr/bin/guest-common.sh

secs=$1
shift
echo "# kernel $(uname -r), $(nproc) CPUs"
insmod /pinmgr/pinmgr.ko
rc=$?
tap $rc "module loads"
[ $rc -eq 0 ] || exit 1
# Kernel symbols and system-wide sampling for root in this throw-away guest.
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
cd /tmp || exit 1

status=0
for id in "$@"; do
	echo "@@PINMGR-PROFILE-BEGIN@@ $id"
	pinmgr-bench --loop "$id" --seconds "$secs"
	rc=$?
	tap $rc "$id: timed loop"
	[ $rc -eq 0 ] || status=1
	perf record -q -a -g -o "/tmp/$id.data" -- \
		pinmgr-bench --loop "$id" --seconds "$secs" >/dev/null
	rc=$?
	tap $rc "$id: profiled loop"
	[ $rc -eq 0 ] || status=1
	# User space has no frame pointers: its callers show as bare
	# addresses, which say nothing.
	echo "## $id: functions with their callees (children), >= 2% of the bench process's samples"
	perf report -q -i "/tmp/$id.data" --stdio --comm pinmgr-bench \
		--percentage relative --children --sort sym \
		--percent-limit 2 -g none 2>/dev/null |
		grep -v -E '\] (0x)?[0-9a-f]{16}$' | head -45
	echo "## $id: functions alone (self), >= 1.5%"
	perf report -q -i "/tmp/$id.data" --stdio --comm pinmgr-bench \
		--percentage relative --no-children --sort sym \
		--percent-limit 1.5 -g none 2>/dev/null | head -30
	echo "@@PINMGR-PROFILE-END@@ $id"
	rm -f "/tmp/$id.data"
done

rmmod pinmgr
rc=$?
tap $rc "module unloads"
[ $rc -eq 0 ] || status=1
exit $status
