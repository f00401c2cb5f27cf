#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the VM for `make bench` and for the bench step of `make check`:
# load the driver, run pinmgr-bench with the given arguments, hand its table
# and its JSON to the host between marker lines, and check that the run left
# nothing behind: the module unloads, nr_hugepages is as before, and the
# kernel's pin counters balance. Prints TAP lines; no timing is judged here.
# shellcheck source=tests/vm/guest-common.sh
. /pinmgr/bin/guest-common.sh

echo "# kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
acquired=$(counter nr_foll_pin_acquired)
released=$(counter nr_foll_pin_released)
hugepages=$(cat /proc/sys/vm/nr_hugepages)

insmod /pinmgr/pinmgr.ko
rc=$?
tap $rc "module loads"
[ $rc -eq 0 ] || exit 1

# The test importer, for the exported leases' rows.
importer=
load_importer && importer=1

# Progress goes to stderr, the table to a file printed after it.
pinmgr-bench --json /tmp/bench.json "$@" >/tmp/bench.txt
bench=$?
tap $bench "pinmgr-bench ran (exit $bench)"
echo "@@PINMGR-BENCH-TABLE-BEGIN@@"
cat /tmp/bench.txt
echo "@@PINMGR-BENCH-TABLE-END@@"
if [ -s /tmp/bench.json ]; then
	echo "@@PINMGR-BENCH-JSON-BEGIN@@"
	cat /tmp/bench.json
	# json-c ends the file without a newline
	echo
	echo "@@PINMGR-BENCH-JSON-END@@"
fi

if [ -n "$importer" ]; then
	rmmod pinmgr_importer
	tap $? "test importer unloads after the bench"
fi
rmmod pinmgr
tap $? "module unloads after the bench (no lease left)"
[ "$(cat /proc/sys/vm/nr_hugepages)" = "$hugepages" ]
tap $? "nr_hugepages is back to $hugepages"

d_acq=$(( $(counter nr_foll_pin_acquired) - acquired ))
d_rel=$(( $(counter nr_foll_pin_released) - released ))
echo "# over the bench: nr_foll_pin_acquired +$d_acq, nr_foll_pin_released +$d_rel"
[ "$d_acq" -eq "$d_rel" ] && [ "$d_acq" -gt 0 ]
tap $? "pin counters balance over the bench"
exit $bench
