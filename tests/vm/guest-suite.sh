#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the VM for `make check`: load the driver, run the C suite, unload,
# and check that the kernel's pin counters balance over the whole run. Prints
# TAP lines; the host counts them.
fold_vmstat() {
	# Per-CPU vmstat deltas are folded into /proc/vmstat only now and then;
	# writing stat_refresh folds them so the counters are exact.
	echo 1 >/proc/sys/vm/stat_refresh
}
counter() {
	fold_vmstat
	awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat
}
tap() {
	if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

echo "# kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
acquired=$(counter nr_foll_pin_acquired)
released=$(counter nr_foll_pin_released)

insmod /pinmgr/pinmgr.ko
rc=$?
tap $rc "module loads"
[ $rc -eq 0 ] || exit 1
# What the shipped udev rule does, so that unprivileged tests can open it.
chmod 0666 /dev/pinmgr

pinmgr-tests "$@"
suite=$?

rmmod pinmgr
tap $? "module unloads after the suite"
[ ! -e /dev/pinmgr ]
tap $? "device node is gone after unload"

d_acq=$(( $(counter nr_foll_pin_acquired) - acquired ))
d_rel=$(( $(counter nr_foll_pin_released) - released ))
echo "# over the run: nr_foll_pin_acquired +$d_acq, nr_foll_pin_released +$d_rel"
[ "$d_acq" -eq "$d_rel" ] && [ "$d_acq" -gt 0 ]
tap $? "pin counters balance over the whole run"
exit $suite
