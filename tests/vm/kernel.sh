#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Resolve a kernel name to what the runner needs, printed as shell
# assignments: KNAME (a short label), KDIR (tree to build modules against),
# KROOT (the build root KDIR lives in, or empty for the host), VMLINUZ
# (image to boot), KMODROOT (a root holding the kernel's own modules under
# lib/modules/KVER with modules.dep, or empty) and KVER.
#
#   5.10     Debian 11's newest 5.10 (linux-headers-amd64 of bullseye)
#   6.1      Debian 12's newest 6.1 (linux-headers-amd64 of bookworm names it)
#   6.12     Debian 12's newest 6.12 (linux-headers-6.12-amd64 of bookworm)
#   6.12-rt  the same with PREEMPT_RT (linux-headers-6.12-rt-amd64 of bookworm)
#   sid      Debian unstable's newest kernel (linux-headers-amd64 of sid)
#   experimental  Debian experimental's kernel, the newest Debian builds
#            (linux-headers-amd64 of experimental, often a release candidate)
#   debug  the 6.12 debug kernel built by build-kernel.sh debug
#   perf   the 6.12 benchmark kernel (GUP_TEST, no checkers) built by
#          build-kernel.sh perf
#   PATH   a kernel build tree holding arch/x86/boot/bzImage
#
# Debian kernels are resolved at run time (the series move), through a
# private apt configuration (debian-apt.sh): the host's apt sources, /boot
# and /usr/src are never touched. Images are unpacked into the cache; the
# headers are installed into a build root of the kernel's suite
# (build-root.sh), which brings the compiler the kernel was built with.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# Outside the tree, so that fresh clones on the same machine (CI) reuse it.
cache=$(realpath -m -- "${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}")

die() { echo "kernel.sh: $*" >&2; exit 1; }

# The kernels of a suite, by the headers meta package that names each one.
suite_metas() {
	case $1 in
	bookworm) echo linux-headers-amd64 linux-headers-6.12-amd64 linux-headers-6.12-rt-amd64 ;;
	bullseye | sid | experimental) echo linux-headers-amd64 ;;
	esac
}

# What a build root of a suite holds besides the kernel headers: what the
# static checks use, and dkms, whose build the packaging stage checks in the
# same root (tests/pkg/check-dkms.sh).
root_tools=(make sparse dwarves dkms)

apt_suite() { "$here/debian-apt.sh" "$@"; }

# depends SUITE PACKAGE: the package names PACKAGE depends on, one a line.
depends() {
	apt_suite "$1" apt-cache show --no-all-versions "$2" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' |
		sed -E 's/^ +//; s/[ (].*//' | grep .
}

# meta_abi SUITE META: the ABI (e.g. 6.1.0-56-amd64) a headers meta names.
meta_abi() {
	depends "$1" "$2" | sed -n 's/^linux-headers-\([0-9].*\)$/\1/p' | head -n 1
}

# fetch_image SUITE ABI DIR: the image and its modules, unpacked in DIR.
# Bookworm's linux-image-ABI holds both; sid's is a meta package over
# linux-binary-ABI (the image), linux-modules-ABI and linux-base-ABI (the
# lists depmod reads).
fetch_image() {
	local suite=$1 abi=$2 dir=$3 pkgs
	pkgs=("linux-image-$abi")
	mapfile -t -O 1 pkgs < <(depends "$suite" "linux-image-$abi" |
		grep -xF -e "linux-binary-$abi" -e "linux-modules-$abi" \
			-e "linux-base-$abi")
	(cd "$dir" && apt_suite "$suite" apt-get download -q "${pkgs[@]}" >&2)
}

debian_kernel() {
	local suite=$1 meta=$2 abi dir root meta_k abis=() vmlinuz
	abi=$(meta_abi "$suite" "$meta")
	[[ -n $abi ]] || { apt_suite "$suite" update; abi=$(meta_abi "$suite" "$meta"); }
	[[ -n $abi ]] || die "cannot resolve $meta in $suite"

	dir=$cache/kernels/$abi
	# make check may resolve a kernel in the background meanwhile.
	mkdir -p "$cache/kernels"
	exec 8>"$cache/kernels/.lock"
	flock 8
	if [[ ! -f $dir/done ]]; then
		rm -rf "$dir"
		mkdir -p "$dir/root"
		# Stale lists name packages the mirror no longer has: refresh once.
		fetch_image "$suite" "$abi" "$dir" ||
			{ apt_suite "$suite" update && fetch_image "$suite" "$abi" "$dir"; } ||
			die "cannot fetch the image of $abi from $suite"
		(
			cd "$dir"
			for deb in ./*.deb; do
				dpkg-deb --fsys-tarfile "$deb" |
					tar -C root -xf - --wildcards './boot/vmlinuz-*' \
						'./lib/modules/*' './usr/lib/modules/*' 2>/dev/null || true
			done
			# Sid ships modules under usr/; depmod -b wants lib/.
			[[ -d root/usr/lib/modules && ! -e root/lib ]] && ln -s usr/lib root/lib
			vmlinuz=$(find root/boot root/usr/lib/modules/"$abi" -maxdepth 1 \
				-name 'vmlinuz*' 2>/dev/null | head -n 1)
			[[ -n $vmlinuz ]] || die "no vmlinuz in the packages of $abi"
			mv "$vmlinuz" vmlinuz
			rm -rf root/boot ./*.deb
			# The package's postinst would run depmod; run-vm needs modules.dep.
			depmod -b root "$abi"
			touch done
		) || die "cannot unpack the image of $abi"
	fi
	flock -u 8

	# One root per suite holds the headers of all its kernels.
	for meta_k in $(suite_metas "$suite"); do
		abis+=("linux-headers-$(meta_abi "$suite" "$meta_k")")
	done
	root=$("$here/build-root.sh" "$suite" "${root_tools[@]}" "${abis[@]}")
	[[ -d $root/usr/src/linux-headers-$abi ]] ||
		die "the $suite root has no headers for $abi"
	printf 'KNAME=%q\nKDIR=%q\nKROOT=%q\nVMLINUZ=%q\nKMODROOT=%q\nKVER=%q\n' \
		"$abi" "/usr/src/linux-headers-$abi" "$root" "$dir/vmlinuz" \
		"$dir/root" "$abi"
}

case ${1:-} in
5.10)
	debian_kernel bullseye linux-headers-amd64 ;;
6.1)
	debian_kernel bookworm linux-headers-amd64 ;;
6.12)
	debian_kernel bookworm linux-headers-6.12-amd64 ;;
6.12-rt)
	debian_kernel bookworm linux-headers-6.12-rt-amd64 ;;
sid | experimental)
	debian_kernel "$1" linux-headers-amd64 ;;
debug | perf)
	kdir=$("$here/build-kernel.sh" "$1")
	printf 'KNAME=%q\nKDIR=%q\nKROOT=\nVMLINUZ=%q\nKMODROOT=\nKVER=\n' \
		"$1-$(basename "$(dirname "$kdir")")" \
		"$kdir" "$kdir/arch/x86/boot/bzImage" ;;
"")
	die "usage: kernel.sh 5.10|6.1|6.12|6.12-rt|sid|experimental|debug|perf|PATH" ;;
*)
	kdir=$(cd "$1" 2>/dev/null && pwd) || die "no such kernel tree: $1"
	[[ -f $kdir/arch/x86/boot/bzImage ]] ||
		die "$kdir has no arch/x86/boot/bzImage"
	printf 'KNAME=%q\nKDIR=%q\nKROOT=\nVMLINUZ=%q\nKMODROOT=\nKVER=\n' \
		"$(basename "$kdir")" "$kdir" "$kdir/arch/x86/boot/bzImage" ;;
esac
