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
