#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM for `make run`: load the driver, run the demo and show its
# pins with pinctl (its leases, then every pin on the machine by process
# and by user); then pin 256 MiB with pinctl, list it from another
# process, revoke it while pinctl monitor watches, and read the statistics
# as Prometheus would.
set -e
insmod /pinmgr/pinmgr.ko
echo "pinmgr loaded on $(uname -r): $(ls -l /dev/pinmgr)"

# shellcheck source=tests/vm/guest-demo-show.sh
. /pinmgr/bin/guest-demo-show.sh

pinctl monitor >/tmp/monitor.out 2>/dev/null &
monitor=$!
sleep 1

# pinmgr-demo runs its argument while its leases are live.
pinmgr-demo 'set +e
	. /pinmgr/bin/guest-demo-show.sh
	show pinctl lease list
	show pinctl -j -p lease list comm pinmgr-demo
	show pinctl census
	show pinctl census users
	show pinctl stats
	show pinctl limits'

echo "--- pinctl pin 256M, seen from another process, then revoked ---"
pinctl pin 256M write longterm cookie 256 for 120s >/tmp/pin.out &
pin=$!
sleep 3
show pinctl lease list comm pinctl
handle=$(pinctl -j lease list comm pinctl | sed -n 's/.*"handle":\([0-9]*\).*/\1/p')
if [ -n "$handle" ]; then
	show pinctl lease revoke "$handle"
else
	kill $pin
fi
wait $pin || echo "(pinctl pin: exit status $?)"
echo "\$ cat pinctl-pin.out"
cat /tmp/pin.out
echo
show pinctl -P stats

sleep 1
kill $monitor 2>/dev/null || true
wait $monitor || true
echo "--- what pinctl monitor saw meanwhile ---"
cat /tmp/monitor.out
echo
show pinctl module show
rmmod pinmgr
echo "pinmgr unloaded"
