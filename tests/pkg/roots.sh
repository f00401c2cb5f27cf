#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian roots the packaging work runs in, made by build-root.sh and
# printed as shell assignments:
#
#   PKG_ROOT     bookworm: debhelper, lintian and the library's build
#                dependencies, where `make deb` builds the packages
#   TARGET_ROOT  bookworm as a machine would be: dkms, udev, systemd, the
#                6.12 headers and the packages' dependencies; the
#                install test copies it and installs the .debs into the copy
#
# Each lives in a cache directory of its own: build-root.sh keeps one root
# per suite and cache, and these must not evict the kernels' build roots
# (tests/vm/kernel.sh) or each other. DKMS builds run in the kernels' own
# build roots, which have dkms (check-dkms.sh).
#
#   roots.sh [pkg|target]...    default: both
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../vm
cache=$(realpath -m -- "${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}")

# abi KERNEL: the Debian ABI name of a matrix kernel (e.g. 6.12.57+deb12-amd64).
abi() { (eval "$("$vm/kernel.sh" "$1")" && echo "$KNAME"); }

root() {
	local name=$1 suite=$2
	shift 2
	PINMGR_CACHE=$cache/packaging/$name "$vm/build-root.sh" "$suite" "$@"
}

want=("$@")
[[ ${#want[@]} -gt 0 ]] || want=(pkg target)
for w in "${want[@]}"; do
	case $w in
	pkg)
		r=$(root pkg bookworm make build-essential dh-dkms debhelper lintian \
			pkgconf libnl-genl-3-dev libkmod-dev libjson-c-dev)
		printf 'PKG_ROOT=%q\n' "$r" ;;
	target)
		# dpkg -i resolves nothing: what the packages depend on is
		# there already (libpinctl-dev's -dev dependencies too).
		r=$(root target bookworm make dkms udev systemd kmod \
			libnl-genl-3-200 libkmod2 libjson-c5 \
			libnl-genl-3-dev libkmod-dev \
			"linux-headers-$(abi 6.12)")
		printf 'TARGET_ROOT=%q\n' "$r" ;;
	*)
		echo "roots.sh: unknown root $w (pkg, target)" >&2
		exit 2 ;;
	esac
done
