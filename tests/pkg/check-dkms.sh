#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# DKMS builds the module for every kernel of the matrix: the real `dkms add`
# and `dkms build` of Debian's dkms, in the kernel's own build root (its
# suite, its headers, its compiler and dkms: tests/vm/kernel.sh), from the
# source tree `make install-dkms` writes (the one pinmgr-dkms ships). Debian
# kernels are named by their ABI as dkms sees them on a machine; the debug
# kernel is a local build tree (--kernelsourcedir), built with bookworm's
# gcc-12 and so checked in the bookworm root. Prints TAP:
#   - dkms build succeeds and leaves pinmgr.ko,
#   - its vermagic names the kernel,
#   - its srcversion equals that of the module the suite loads on that
#     kernel (build/modules/KNAME/pinmgr.ko, if built): same sources, same
#     conftest results.
#
#   check-dkms.sh OUTDIR KERNEL...     OUTDIR keeps logs and the modules
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(realpath -m -- "${1:?usage: check-dkms.sh OUTDIR KERNEL...}")
shift
mkdir -p "$out"

tap() { if [[ $1 -eq 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
diag() { sed 's/^/# /'; }

# The packages' version is the library's (Makefile PKG_VERSION).
version=$(sed -n 's/^LIB_VERSION := //p' "$top/Makefile")

for k in "$@"; do
	eval "$("$top/tests/vm/kernel.sh" "$k")" || { tap 1 "kernel $k resolves"; continue; }
	binds=()
	root=$KROOT
	if [[ -z $root ]]; then
		# Local builds use the host's compiler, which is bookworm's gcc-12.
		root=$(eval "$("$top/tests/vm/kernel.sh" 6.12)" && echo "$KROOT") ||
			{ tap 1 "the bookworm root for $k could be had"; continue; }
		binds=(-b "$KDIR")
		KVER=$(cat "$KDIR/include/config/kernel.release")
	fi
	# Sources and DKMS's tree under the project tree (bound into the root),
	# so that the cached root's /usr/src and DKMS tree stay untouched (only
	# the module signing key DKMS makes on first use stays there, as on a
	# machine).
	work=$top/build/dkms/$k
	rm -rf "$work"
	mkdir -p "$work/tree"
	make -s -C "$top" install-dkms DESTDIR="$work" DKMSDIR=/src >"$out/dkms-$k.log" 2>&1
	opts=(-m pinmgr -v "$version" --sourcetree "$work/src" --dkmstree "$work/tree")
	# A Debian kernel's headers are found as on a machine, through
	# /lib/modules/KVER/build: given --kernelsourcedir, bullseye's dkms 2.8
	# "prepares" the tree with make mrproper, deleting the headers' config.
	build=(-k "$KVER")
	[[ ${#binds[@]} -eq 0 ]] || build+=(--kernelsourcedir "$KDIR")
	{
		"$top/tests/vm/in-root.sh" "${binds[@]}" "$root" dkms add "${opts[@]}" &&
			"$top/tests/vm/in-root.sh" "${binds[@]}" "$root" dkms build \
				"${opts[@]}" "${build[@]}"
	} >>"$out/dkms-$k.log" 2>&1 &&
		ko=$(find "$work/tree/pinmgr/$version/$KVER" -name 'pinmgr.ko*' | head -n 1) &&
		[[ -n $ko ]]
	rc=$?
	# dkms's own build log names the error.
	[[ $rc -eq 0 ]] || { tail -n 30 "$out/dkms-$k.log"; cat "$work"/tree/pinmgr/*/build/make.log 2>/dev/null | tail -n 30; } | diag
	tap $rc "dkms build of pinmgr $version for $k ($KVER)"
	[[ $rc -eq 0 ]] || continue
	cp "$ko" "$out/pinmgr-$k.${ko##*/pinmgr.}"

	magic=$("$top/tests/vm/in-root.sh" "$root" modinfo -F vermagic "$out/pinmgr-$k.${ko##*/pinmgr.}")
	echo "# vermagic: $magic"
	[[ ${magic%% *} == "$KVER" ]]
	tap $? "the module DKMS built for $k has vermagic $KVER"

	[[ $("$top/tests/vm/in-root.sh" "$root" modinfo -F version "$out/pinmgr-$k.${ko##*/pinmgr.}") == "$version" ]]
	tap $? "the module DKMS built for $k has version $version"

	src=$("$top/tests/vm/in-root.sh" "$root" modinfo -F srcversion "$out/pinmgr-$k.${ko##*/pinmgr.}")
	echo "$src" >"$out/srcversion-$k"
	suite_ko=$top/build/modules/$KNAME/pinmgr.ko
	if [[ -f $suite_ko ]]; then
		want=$(modinfo -F srcversion "$suite_ko")
		echo "# srcversion: dkms $src, suite $want"
		[[ -n $src && $src == "$want" ]]
		tap $? "the module DKMS built for $k is the suite's (srcversion $src)"
	fi
done
