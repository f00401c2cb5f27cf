#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the VM for `make check`: load the driver, run the C suite, unload,
# and check that the kernel's pin counters balance over the whole run. Prints
# TAP lines; the host counts them.
# shellcheck source=tests/vm/guest-common.sh
. /pinmgr/bin/guest-common.sh

echo "# kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
acquired=$(counter nr_foll_pin_acquired)
released=$(counter nr_foll_pin_released)

# An ordinary file system with writeback for the file-mapping tests: ext2,
# served by the ext4 driver, on a loop device (run-vm -M "loop ext4").
# Where it is mounted, or where the caller requires it (check.sh), the
# tests that use it may not skip.
if [ -e /dev/loop-control ] || [ -e /dev/loop0 ] || required extfs; then
	dd if=/dev/zero of=/tmp/extfs.img bs=1M count=48 2>/dev/null &&
		mke2fs -q -F /tmp/extfs.img >/dev/null 2>&1 &&
		losetup /dev/loop0 /tmp/extfs.img &&
		mkdir -p /mnt/ext && mount -t ext4 /dev/loop0 /mnt/ext
	rc=$?
	tap $rc "ext2 file system for the file tests mounted"
	[ $rc -eq 0 ] && export PINMGR_EXTFS=/mnt/ext && require extfs
fi

# On a kmemleak kernel, forget what boot left behind: only the run counts.
kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak

insmod /pinmgr/pinmgr.ko
rc=$?
tap $rc "module loads"
[ $rc -eq 0 ] || exit 1
# The module registers its netlink family: its tests may not skip.
require netlink
# What the shipped udev rule does, so that unprivileged tests can open it.
chmod 0666 /dev/pinmgr

importer=
load_importer && importer=1

pinmgr-tests "$@"
suite=$?

# libpinctl's and pinctl's tests (tests/lib, tests/cli), the same way.
pinctl-tests "$@" || suite=1

# pinctl -P stats and -P census machine (Prometheus) with a lease held, for
# promtool on the host; where there are budgets, the lease is charged to a
# budgeted cgroup whose name needs escaping in a label.
if [ -e /dev/pinmgr ] && pinctl stats >/dev/null 2>&1; then
	cg='/sys/fs/cgroup/pmt "prom"'
	budget=
	if [ -e /sys/fs/cgroup/cgroup.controllers ] && mkdir "$cg" &&
		pinctl budget set '/pmt "prom"' 4M >/dev/null; then
		budget=1
	fi
	sh -c 'if [ -n "$1" ]; then echo $$ >"$2/cgroup.procs"; fi
		exec pinctl pin 2M for 30s >/dev/null' sh "$budget" "$cg" &
	pin=$!
	sleep 1
	pinctl -P stats | sed 's/^/# prometheus: /'
	pinctl -P census machine | sed 's/^/# prometheus: /'
	kill $pin
	wait $pin
	if [ -n "$budget" ]; then
		pinctl budget clear '/pmt "prom"'
	fi
	[ ! -d "$cg" ] || rmdir "$cg"
fi

# The device's own figures balance too: nothing live, nothing ended left.
dev=/sys/class/misc/pinmgr
if [ -e $dev/leases ]; then
	figures="leases $(cat $dev/leases) ended_leases $(cat $dev/ended_leases) pinned_pages $(cat $dev/pinned_pages)"
	echo "# after the suite: $figures"
	[ "$figures" = "leases 0 ended_leases 0 pinned_pages 0" ]
	tap $? "the device counts no lease and no page after the suite"
fi

if [ -n "$importer" ]; then
	rmmod pinmgr_importer
	tap $? "test importer unloads after the suite"
fi
rmmod pinmgr
tap $? "module unloads after the suite"
[ ! -e /dev/pinmgr ]
tap $? "device node is gone after unload"

if [ -n "${PINMGR_EXTFS:-}" ]; then
	umount /mnt/ext && losetup -d /dev/loop0
	tap $? "file system unmounts after the suite (no pinned page cache left)"
fi

if [ -w $kmemleak ]; then
	# Objects freed by RCU need a grace period or two; scan twice.
	sleep 5
	echo scan >$kmemleak
	sleep 5
	echo scan >$kmemleak
	leaks=$(grep -c 'unreferenced object' $kmemleak)
	[ "$leaks" -eq 0 ] || cat $kmemleak
	[ "$leaks" -eq 0 ]
	tap $? "kmemleak finds no leak after the suite ($leaks)"
fi

d_acq=$(( $(counter nr_foll_pin_acquired) - acquired ))
d_rel=$(( $(counter nr_foll_pin_released) - released ))
echo "# over the run: nr_foll_pin_acquired +$d_acq, nr_foll_pin_released +$d_rel"
[ "$d_acq" -eq "$d_rel" ] && [ "$d_acq" -gt 0 ]
tap $? "pin counters balance over the whole run"
exit $suite
