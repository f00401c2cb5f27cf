#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The end-to-end install test: the built .debs are installed with dpkg -i
# into a copy of a Debian bookworm root that has dkms, udev, systemd and the
# 6.12 kernel's headers (roots.sh target), so that their maintainer scripts
# run as on a machine: pinmgr-dkms's postinst has DKMS build and install
# the module for 6.12. That root becomes a disk image, and a 6.12 VM
# (tests/vm/guest-install.sh) runs part of the suite against the module
# DKMS built and then uses the root: modprobe, the udev rule, pinctl,
# the metrics script. Last, the packages are purged and must leave nothing
# behind. Prints TAP.
#
#   check-install.sh OUTDIR DEBDIR [TEST-NAME-PART...]
#
# The names select the part of the suite run against the module DKMS
# built (substrings, as for pinmgr-tests); by default a few pins of each
# kind and pinctl's own pin, list, show and revoke.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(realpath -m -- "${1:?usage: check-install.sh OUTDIR DEBDIR [PREFIX...]}")
debs=$(realpath -- "${2:?usage: check-install.sh OUTDIR DEBDIR [PREFIX...]}")
shift 2
prefixes=("$@")
[[ ${#prefixes[@]} -gt 0 ]] ||
	prefixes=(pin_one_page_readonly pin_write_longterm_1m pin_64m_longterm
		pin_thp_longterm_few_runs pin_query_fields cli_pin_list_show_revoke)
mkdir -p "$out"

tap() { if [[ $1 -eq 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
diag() { sed 's/^/# /'; }
packages=(pinmgr-dkms libpinctl0 libpinctl-dev pinctl)

eval "$("$here/roots.sh" target)" || { tap 1 "the target root could be made"; exit 1; }
eval "$("$top/tests/vm/kernel.sh" 6.12)" || { tap 1 "kernel 6.12 resolves"; exit 1; }

work=$top/build/pkg-install
root=$work/root
rm -rf "$work"
mkdir -p "$work"
cp -a "$TARGET_ROOT" "$root"
mkdir -p "$root/tmp/debs"
for p in "${packages[@]}"; do cp "$debs/${p}_"*.deb "$root/tmp/debs/"; done
in_root() { "$top/tests/vm/in-root.sh" "$root" "$@"; }

# dpkg -i as an administrator would, maintainer scripts and all.
in_root env DEBIAN_FRONTEND=noninteractive sh -c 'dpkg -i /tmp/debs/*.deb' >"$out/install-dpkg.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || tail -n 30 "$out/install-dpkg.log" | diag
tap $rc "dpkg -i ${packages[*]}"
# shellcheck disable=SC2016 # a dpkg-query format
status=$(in_root dpkg-query -W -f='${db:Status-Abbrev}\n' "${packages[@]}" | sort -u)
[[ $status == "ii " ]]
tap $? "all four packages are installed (dpkg status ii)"

ko=$(find "$root/lib/modules/$KVER/updates/dkms" -name 'pinmgr.ko*' 2>/dev/null | head -n 1)
[[ -n $ko ]]
tap $? "pinmgr-dkms's postinst had DKMS build and install the module for $KVER"
grep -E '^pinmgr(/| )' "$out/install-dpkg.log" | diag
[[ -n $ko ]] || exit 1
# busybox's insmod may not read compressed modules.
case $ko in
*.xz) xz -dc "$ko" >"$out/install-dkms.ko" ;;
*.zst) zstd -qdc "$ko" >"$out/install-dkms.ko" ;;
*) cp "$ko" "$out/install-dkms.ko" ;;
esac
srcversion=$(modinfo -F srcversion "$out/install-dkms.ko")

[[ $(in_root systemctl is-enabled pinctl-metrics.timer 2>&1) == disabled ]]
tap $? "the metrics timer is installed and not enabled"

# The root as a disk: room for what the guest writes (udev, the textfile).
size=$(( $(du -sm "$root" | cut -f1) * 5 / 4 + 64 ))
rm -rf "$root/tmp/debs"
mke2fs -q -F -t ext4 -d "$root" "$work/root.img" "${size}M" >"$out/install-mke2fs.log" 2>&1
rc=$?
tap $rc "the installed root becomes a disk image (${size} MiB)"
[[ $rc -eq 0 ]] || exit 1

log=$out/install-console.log
"$top/tests/vm/run-vm" -k 6.12 -K "$out/install-dkms.ko" -d "$work/root.img" \
	-M "loop ext4 virtio_blk" -l "$log" -t 1200 -- \
	sh /pinmgr/bin/guest-install.sh "${prefixes[@]}" >"$out/install-guest.out"
rc=$?
grep -v '^# textfile: ' "$out/install-guest.out"
[[ $rc -lt 124 ]] || tap 1 "the VM finished and reported a status (6.12 install: $rc)"
"$top/tests/vm/splat-scan.sh" "$log"
tap $? "no kernel splat in the console log (6.12 install)"

loaded=$(sed -n 's/^# loaded srcversion: //p' "$out/install-guest.out")
[[ -n $loaded && $loaded == "$srcversion" ]]
tap $? "the module running in the VM is the one DKMS installed (srcversion $srcversion)"
suite_ko=$top/build/modules/$KNAME/pinmgr.ko
if [[ -f $suite_ko ]]; then
	[[ $(modinfo -F srcversion "$suite_ko") == "$srcversion" ]]
	tap $? "the module DKMS installed is the suite's for 6.12 (srcversion)"
fi

# What pinctl-metrics wrote, checked by Prometheus's own promtool.
sed -n 's/^# textfile: //p' "$out/install-guest.out" >"$out/install-textfile.prom"
if ! prom=$("$top/tests/cli/promtool.sh" 2>"$out/install-promtool.log"); then
	tap 1 "promtool check metrics: promtool could not be had"
elif [[ -s $out/install-textfile.prom ]] &&
	"$prom" check metrics <"$out/install-textfile.prom" >"$out/install-promtool.log" 2>&1; then
	tap 0 "promtool check metrics passes the textfile pinctl-metrics wrote"
else
	diag <"$out/install-promtool.log"
	tap 1 "promtool check metrics passes the textfile pinctl-metrics wrote"
fi

# Purging runs the other maintainer scripts: DKMS removes the module.
in_root dpkg --purge "${packages[@]}" >"$out/install-purge.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || tail -n 20 "$out/install-purge.log" | diag
tap $rc "dpkg --purge ${packages[*]}"
left=$(cd "$root" && ls -d lib/modules/*/updates/dkms/pinmgr.ko* var/lib/dkms/pinmgr \
	usr/src/pinmgr-* usr/sbin/pinctl lib/udev/rules.d/60-pinmgr.rules 2>/dev/null)
[[ -z $left ]] || echo "$left" | diag
[[ -z $left ]]
tap $? "purging leaves no module, DKMS state, source, pinctl or udev rule"
rm -rf "$work"
