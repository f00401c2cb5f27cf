#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Resolve a kernel name to what the runner needs, printed as shell
# assignments: KNAME (a short label), KDIR (tree to build modules against),
# VMLINUZ (image to boot) and KMODROOT (a root holding the kernel's own
# modules under lib/modules/KVER with modules.dep, or empty) and KVER.
#
#   6.1    Debian's latest 6.1 (linux-headers-amd64 names its ABI)
#   6.12   Debian's latest 6.12 (linux-headers-6.12-amd64)
#   debug  the 6.12 debug kernel built by debug-kernel.sh
#   PATH   a kernel build tree holding arch/x86/boot/bzImage
#
# Debian images are fetched with apt-get download and unpacked into the
# cache, so the host's /boot is never touched. The ABI is resolved at run
# time, because the Debian series move.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# Outside the tree, so that fresh clones on the same machine (CI) reuse it.
cache=${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}

die() { echo "kernel.sh: $*" >&2; exit 1; }

# The ABI (e.g. 6.1.0-56-amd64) a headers meta-package depends on.
meta_abi() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null) ||
		die "$1 is not installed (run tests/vm/install-deps.sh)"
	dep=${dep%% *}
	echo "${dep#linux-headers-}"
}

debian_kernel() {
	local abi=$1 dir
	dir=$cache/kernels/$abi
	if [[ ! -f $dir/done ]]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		(
			cd "$dir"
			apt-get download -q -o APT::Sandbox::User=root "linux-image-$abi" >&2 ||
				{ apt-get update -qq >&2 &&
				  apt-get download -q -o APT::Sandbox::User=root "linux-image-$abi" >&2; }
			# The image and the modules (tests load a few, e.g. ext4);
			# depmod here because the package's postinst would do it.
			mkdir root
			dpkg-deb --fsys-tarfile linux-image-*.deb |
				tar -C root -xf - --wildcards './boot/vmlinuz-*' \
					'./lib/modules/*'
			mv root/boot/vmlinuz-* vmlinuz
			rm -rf root/boot ./*.deb
			depmod -b root "$abi"
			touch done
		) || die "cannot fetch linux-image-$abi"
	fi
	[[ -d /usr/src/linux-headers-$abi ]] ||
		die "headers for $abi are missing (run tests/vm/install-deps.sh)"
	printf 'KNAME=%q\nKDIR=%q\nVMLINUZ=%q\nKMODROOT=%q\nKVER=%q\n' "$abi" \
		"/usr/src/linux-headers-$abi" "$dir/vmlinuz" "$dir/root" "$abi"
}

case ${1:-} in
6.1)
	debian_kernel "$(meta_abi linux-headers-amd64)" ;;
6.12)
	debian_kernel "$(meta_abi linux-headers-6.12-amd64)" ;;
debug)
	kdir=$("$here/debug-kernel.sh")
	printf 'KNAME=%q\nKDIR=%q\nVMLINUZ=%q\nKMODROOT=\nKVER=\n' \
		"debug-$(basename "$(dirname "$kdir")")" \
		"$kdir" "$kdir/arch/x86/boot/bzImage" ;;
"")
	die "usage: kernel.sh 6.1|6.12|debug|PATH" ;;
*)
	kdir=$(cd "$1" 2>/dev/null && pwd) || die "no such kernel tree: $1"
	[[ -f $kdir/arch/x86/boot/bzImage ]] ||
		die "$kdir has no arch/x86/boot/bzImage"
	printf 'KNAME=%q\nKDIR=%q\nVMLINUZ=%q\nKMODROOT=\nKVER=\n' \
		"$(basename "$kdir")" "$kdir" "$kdir/arch/x86/boot/bzImage" ;;
esac
