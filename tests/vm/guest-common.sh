#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What the guest scripts share; they source it from /pinmgr/bin.

# tap STATUS DESCRIPTION: one TAP line, "ok" when STATUS is 0.
tap() {
	if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

fold_vmstat() {
	# Per-CPU vmstat deltas are folded into /proc/vmstat only now and then;
	# writing stat_refresh folds them so the counters are exact.
	echo 1 >/proc/sys/vm/stat_refresh
}

# counter NAME: a /proc/vmstat counter, exact.
counter() {
	fold_vmstat
	awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat
}

# required CAP: does PINMGR_REQUIRE (words split by spaces or commas) name
# CAP? Tests that need a required capability may not skip (harness.h).
required() {
	case " $(echo "${PINMGR_REQUIRE:-}" | tr , ' ') " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# require CAP: this machine has CAP set up; tell the tests.
require() {
	required "$1" || PINMGR_REQUIRE="${PINMGR_REQUIRE:+$PINMGR_REQUIRE }$1"
	export PINMGR_REQUIRE
}

# Load the test importer (tests/importer) where the machine has edu (run-vm
# -e) and the kernel the dma-buf core; say so in TAP. Succeeds if it loaded.
# A machine that PINMGR_REQUIRE says has edu fails without it.
load_importer() {
	if [ -f /pinmgr/pinmgr_importer.ko ] &&
		grep -qx 0x11e8 /sys/bus/pci/devices/*/device 2>/dev/null; then
		insmod /pinmgr/pinmgr_importer.ko
		set -- $?
		tap "$1" "test importer loads and drives edu"
		return "$1"
	fi
	required edu &&
		tap 1 "test importer loads and drives edu (no edu device or no importer)"
	return 1
}
