#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check's packaging stage: make install/uninstall, the Debian packages
# (built, lintian, contents and dependencies), dkms build for every kernel
# given (check-dkms.sh) and, if 6.12 is among them, the end-to-end install
# test in a VM (check-install.sh). Prints TAP.
#
#   check-pkg.sh OUTDIR KERNEL...
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(realpath -m -- "${1:?usage: check-pkg.sh OUTDIR KERNEL...}")
shift
rm -rf "$out"
mkdir -p "$out"

tap() { if [[ $1 -eq 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
diag() { sed 's/^/# /'; }
cd "$top" || exit 1

# One version everywhere: the library's, the changelog's, dkms.conf's.
version=$(sed -n 's/^LIB_VERSION := //p' Makefile)
changelog=$(sed -n '1s/^pinmgr (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[[ -n $version && $changelog == "$version" ]]
tap $? "packaging/debian/changelog's version is LIB_VERSION ($version)"
grep -q "^MODULE_VERSION(\"$version\");$" driver/pinmgr_main.c
tap $? "the module's MODULE_VERSION is LIB_VERSION ($version)"
# The symbols file lists exactly the version script's symbols.
diff <(sed -n 's/^\t\(pinctl_[a-z_0-9]*\);$/\1/p' libpinctl/libpinctl.sym | sort) \
	<(sed -n 's/^ \(pinctl_[a-z_0-9]*\)@LIBPINCTL_[0-9]* .*/\1/p' packaging/debian/libpinctl0.symbols | sort) | diag
tap "${PIPESTATUS[0]}" "libpinctl0.symbols lists the symbols of libpinctl.sym"

# make install and make uninstall under a DESTDIR.
stage=$out/stage
make -s install DESTDIR="$stage" PREFIX=/usr/local >"$out/install.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || diag <"$out/install.log"
tap $rc "make install (DESTDIR, PREFIX=/usr/local)"
rc=0
for f in usr/local/lib/libpinctl.so.0 usr/local/lib/libpinctl.a \
	usr/local/lib/pkgconfig/libpinctl.pc usr/local/include/libpinctl.h \
	usr/local/include/linux/pinmgr.h usr/local/include/linux/pinmgr_netlink.h \
	usr/local/sbin/pinctl usr/local/share/man/man8/pinctl.8 \
	usr/local/share/man/man3/libpinctl.3 \
	usr/local/share/bash-completion/completions/pinctl \
	etc/udev/rules.d/60-pinmgr.rules etc/systemd/system/pinctl-metrics.timer \
	etc/systemd/system/pinctl-metrics.service \
	usr/local/libexec/pinctl/pinctl-metrics \
	"usr/src/pinmgr-$version/dkms.conf" \
	"usr/src/pinmgr-$version/driver/conftest.sh" \
	usr/local/share/doc/pinmgr/examples/modprobe.d-pinmgr.conf; do
	[[ -e $stage/$f ]] || { echo "missing $f" | diag; rc=1; }
done
grep -q "^PACKAGE_VERSION=\"$version\"$" "$stage/usr/src/pinmgr-$version/dkms.conf" || rc=1
grep -q '^ExecStart=/usr/local/libexec/pinctl/pinctl-metrics ' \
	"$stage/etc/systemd/system/pinctl-metrics.service" || rc=1
tap $rc "make install puts every file in its place (units and dkms.conf filled in)"
# A program includes <linux/pinmgr.h> from the installed headers alone.
printf '#include <linux/pinmgr.h>\n#include <libpinctl.h>\nint main(void) { return sizeof(struct pinmgr_pin) == 0; }\n' >"$out/inc.c"
gcc -I"$stage/usr/local/include" -c "$out/inc.c" -o "$out/inc.o" 2>&1 | diag
tap "${PIPESTATUS[0]}" "the installed headers give <linux/pinmgr.h> and <libpinctl.h>"
make -s uninstall DESTDIR="$stage" PREFIX=/usr/local >>"$out/install.log" 2>&1
left=$(find "$stage" -type f -o -type l)
[[ -z $left ]] || echo "$left" | diag
[[ -z $left ]]
tap $? "make uninstall removes every file make install put there"

# pinctl-metrics replaces the textfile whole or not at all: while a slow
# pinctl writes, the collector still reads the old file; a failing one
# leaves the old file and no temporary one.
m=$out/metrics
mkdir -p "$m/dir"
echo old >"$m/dir/pinmgr.prom"
printf '#!/bin/sh\necho "pinmgr_leases 1"; sleep 1; echo "pinmgr_files 1"\n' >"$m/slow"
printf '#!/bin/sh\necho partial; exit 1\n' >"$m/fail"
chmod +x "$m/slow" "$m/fail"
PINCTL=$m/slow packaging/systemd/pinctl-metrics "$m/dir" &
writer=$!
sleep 0.5
mid=$(cat "$m/dir/pinmgr.prom")
wait $writer
rc=$?
[[ $rc -eq 0 && $mid == old && $(cat "$m/dir/pinmgr.prom") == $'pinmgr_leases 1\npinmgr_files 1' ]]
tap $? "pinctl-metrics replaces pinmgr.prom only once the new one is complete"
! PINCTL=$m/fail packaging/systemd/pinctl-metrics "$m/dir" 2>/dev/null &&
	[[ $(cat "$m/dir/pinmgr.prom") == $'pinmgr_leases 1\npinmgr_files 1' ]] &&
	[[ $(find "$m/dir" -type f | wc -l) -eq 1 ]]
tap $? "a failing pinctl leaves the old pinmgr.prom and no temporary file"

# The packages.
debs=$out/deb
"$here/build-debs.sh" "$debs" >"$out/build-debs.out" 2>&1
rc=$?
[[ $rc -eq 0 ]] || tail -n 30 "$out/build-debs.out" | diag
tap $rc "dpkg-buildpackage -us -uc -b builds the packages (make deb)"
if [[ $rc -eq 0 ]]; then
	eval "$("$here/roots.sh" pkg)"
	rc=0
	for p in pinmgr-dkms libpinctl0 libpinctl-dev pinctl; do
		ls "$debs/${p}_${version}_"*.deb >/dev/null 2>&1 || { echo "no $p" | diag; rc=1; }
	done
	tap $rc "pinmgr-dkms, libpinctl0, libpinctl-dev and pinctl, version $version"

	field() { dpkg-deb -f "$debs/$1_${version}_"*.deb "$2"; }
	contents() { dpkg-deb -c "$debs/$1_${version}_"*.deb | awk '{ print $6 }'; }
	rc=0
	field pinmgr-dkms Depends | grep -q 'dkms' || rc=1
	[[ $(field pinmgr-dkms Architecture) == all ]] || rc=1
	field libpinctl0 Depends | grep -q 'libnl-genl-3-200' || rc=1
	field libpinctl0 Depends | grep -q 'libkmod2' || rc=1
	field pinctl Depends | grep -Eq "libpinctl0 \(>= $version\)" || rc=1
	field pinctl Depends | grep -q 'libjson-c5' || rc=1
	field libpinctl-dev Depends | grep -q "libpinctl0 (= $version)" || rc=1
	for p in pinmgr-dkms libpinctl0 libpinctl-dev pinctl; do echo "$p: $(field "$p" Depends)"; done | diag
	tap $rc "the packages' dependencies (dkms; shlibs: libnl, libkmod, json-c, libpinctl0 >= $version)"
	rc=0
	contents pinmgr-dkms | grep -qx "./usr/src/pinmgr-$version/dkms.conf" || rc=1
	contents pinmgr-dkms | grep -qx "./usr/src/pinmgr-$version/driver/conftest.sh" || rc=1
	contents libpinctl0 | grep -Eqx './usr/lib/x86_64-linux-gnu/libpinctl.so.0(.1.0)?' || rc=1
	contents libpinctl-dev | grep -qx './usr/include/linux/pinmgr.h' || rc=1
	contents libpinctl-dev | grep -qx './usr/lib/x86_64-linux-gnu/pkgconfig/libpinctl.pc' || rc=1
	contents pinctl | grep -qx './usr/sbin/pinctl' || rc=1
	contents pinctl | grep -qx './lib/udev/rules.d/60-pinmgr.rules' || rc=1
	contents pinctl | grep -qx './lib/systemd/system/pinctl-metrics.timer' || rc=1
	dpkg-deb -I "$debs/libpinctl0_${version}_"*.deb symbols | grep -q '^ pinctl_pin@LIBPINCTL_1 ' || rc=1
	tap $rc "the packages hold the DKMS source, the library, headers, pinctl, udev rule, timer and symbols"

	# Lintian of the release, in the root; overrides carry their reasons.
	"$top/tests/vm/in-root.sh" "$PKG_ROOT" lintian --fail-on error,warning \
		"$debs"/*.changes >"$out/lintian.log" 2>&1
	rc=$?
	diag <"$out/lintian.log"
	tap $rc "lintian finds no error or warning in the packages"
fi

"$here/check-dkms.sh" "$out/dkms" "$@"

for k in "$@"; do
	[[ $k == 6.12 ]] || continue
	"$here/check-install.sh" "$out/install" "$debs"
done
