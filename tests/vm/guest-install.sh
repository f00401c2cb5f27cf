#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the VM for tests/pkg/check-install.sh: a Debian root in which the
# project's .debs were installed with dpkg -i (DKMS built and installed the
# module for this kernel in the postinst) is /dev/vda. First a short part of
# the suite runs against the module DKMS built (/pinmgr/pinmgr.ko, run-vm
# -K); then, chrooted in the installed root as on a machine: modprobe loads
# the module from updates/dkms, the root's own systemd-udevd applies the
# packaged rule, and the packaged pinctl (with the packaged libpinctl) pins,
# lists, reports stats, and its metrics script writes the textfile.
#
#   guest-install.sh SUITE-PREFIX...   the tests of the suite to run
# shellcheck source=tests/vm/guest-common.sh
. /pinmgr/bin/guest-common.sh

sh /pinmgr/bin/guest-suite.sh "$@"

r=/mnt/root
mkdir -p $r
mount -t ext4 /dev/vda $r
rc=$?
tap $rc "the installed Debian root mounts"
[ $rc -eq 0 ] || exit 1
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mount -t tmpfs tmpfs $r/run
mount -t tmpfs tmpfs $r/tmp
# The root's own programs and libraries only: no /pinmgr/lib. The root is
# this VM's system: systemd's tools must not take it for a chroot and
# refuse to work.
in_root() {
	chroot $r /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		SYSTEMD_IGNORE_CHROOT=1 "$@"
}

in_root modprobe pinmgr
tap $? "modprobe pinmgr in the installed root"
file=$(in_root modinfo -F filename pinmgr)
echo "# module file: $file"
case $file in */updates/dkms/pinmgr.ko*) rc=0 ;; *) rc=1 ;; esac
tap $rc "the module loaded is the one DKMS installed (updates/dkms)"
echo "# loaded srcversion: $(cat /sys/module/pinmgr/srcversion)"

echo "# /dev/pinmgr before udev: $(stat -c '%a %U:%G' /dev/pinmgr)"
in_root /lib/systemd/systemd-udevd --daemon
in_root udevadm trigger --action=add --subsystem-match=misc
in_root udevadm settle --timeout=30
mode=$(stat -c '%a %U:%G' /dev/pinmgr)
echo "# /dev/pinmgr after udev: $mode"
[ "$mode" = "666 root:root" ]
tap $? "the packaged udev rule gives /dev/pinmgr mode 0666, root:root"

# A module loaded before pinctl was installed: its node has the kernel's
# mode until pinctl's postinst replays the device's event.
chmod 0600 /dev/pinmgr
in_root DPKG_MAINTSCRIPT_PACKAGE=pinctl DPKG_MAINTSCRIPT_NAME=postinst \
	/var/lib/dpkg/info/pinctl.postinst configure &&
	in_root udevadm settle --timeout=30
mode=$(stat -c '%a %U:%G' /dev/pinmgr)
echo "# /dev/pinmgr after pinctl's postinst: $mode"
[ "$mode" = "666 root:root" ]
tap $? "pinctl's postinst applies the rule to a node that was already there"

lib=$(in_root ldd /usr/sbin/pinctl | awk '$1 == "libpinctl.so.0" { print $3 }')
echo "# pinctl links $lib"
case $lib in /lib/*/libpinctl.so.0 | /usr/lib/*/libpinctl.so.0) rc=0 ;; *) rc=1 ;; esac
tap $rc "the packaged pinctl uses the packaged libpinctl.so.0"

# An ordinary user pins through the world-usable node (RLIMIT_MEMLOCK
# charged: 8 MiB by default, so 2 MiB fits).
# Not through in_root: $! must be pinctl itself (chroot and env exec), not
# a subshell, for the kill below to end the lease.
chroot $r /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	chroot --userspec=nobody:nogroup / pinctl pin 2M for 60s >/tmp/pin.out 2>&1 &
pin=$!
i=0
while [ $i -lt 30 ] && ! [ -s /tmp/pin.out ]; do sleep 1; i=$((i + 1)); done
sed 's/^/# pin: /' /tmp/pin.out
kill -0 $pin 2>/dev/null
tap $? "pinctl pin 2M as user nobody holds a lease"

list=$(in_root pinctl -j lease list)
echo "# lease list: $list"
echo "$list" | grep -Eq '"uid": ?65534'
tap $? "pinctl -j lease list shows nobody's lease"

stats=$(in_root pinctl -j stats)
echo "# stats: $stats"
echo "$stats" | grep -Eq '"leases": ?1[,}]'
tap $? "pinctl stats reports the lease"

dir=/var/lib/prometheus/node-exporter
# What the packaged service runs: its Environment= and ExecStart= lines.
unit=$r/lib/systemd/system/pinctl-metrics.service
svc_env=$(sed -n 's/^Environment=//p' $unit)
svc_cmd=$(sed -n 's/^ExecStart=//p' $unit)
echo "# service: $svc_env $svc_cmd"
# shellcheck disable=SC2086 # the unit's words
in_root env $svc_env $svc_cmd
rc=$?
[ $rc -eq 0 ] && [ -s $r$dir/pinmgr.prom ] &&
	[ -z "$(find $r$dir -name '.pinmgr.prom.*')" ] &&
	grep -q '^pinmgr_leases 1$' $r$dir/pinmgr.prom
tap $? "pinctl-metrics.service's command writes pinmgr.prom (1 lease), no temporary file left"
sed 's/^/# textfile: /' $r$dir/pinmgr.prom

kill $pin 2>/dev/null
wait $pin
in_root modprobe -r pinmgr
tap $? "modprobe -r pinmgr once the lease is gone"
in_root udevadm control --exit
# The request returns before udevd has let go of /dev.
i=0
while [ $i -lt 20 ] && pidof systemd-udevd >/dev/null; do sleep 0.5; i=$((i + 1)); done
umount $r/tmp $r/run $r/dev $r/sys $r/proc && umount $r
tap $? "the installed root unmounts (udevd has exited)"
exit 0
