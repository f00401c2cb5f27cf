#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages the project needs on the host, idempotently:
# apt runs only when something is missing, so a warm machine pays one
# dpkg-query. No kernel package is installed on the host: images and headers
# come through the project's own apt configuration (debian-apt.sh) into its
# cache and build roots, so /boot and the host's kernels are never touched.
# Usage: install-deps.sh [--once] [extra-package...]
#
# --once (run-vm, which runs on every boot): skip even the dpkg-query when
# this check already passed for the same list and the host's dpkg database
# has not changed since. A stamp in the cache records the script's hash,
# the extra packages and the database's mtime; any change to one of them
# (a package added here, or one installed or removed on the host) runs the
# check again. Without --once the check always runs (make deps, CI).
set -euo pipefail

once=0
if [[ ${1:-} == --once ]]; then once=1; shift; fi
# The cache of tests/vm/kernel.sh: outside the tree, so that fresh clones
# on the same machine (CI) share the stamp.
cache=$(realpath -m -- "${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}")
stamp=$cache/install-deps.ok
checked() {
	printf '%s %s %s\n' "$(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)" \
		"$(stat -c %Y /var/lib/dpkg/status 2>/dev/null)" "$*"
}
# Written only once every package is there; a cache we cannot write to
# only costs the check next time.
record() {
	{ mkdir -p "$cache" && checked "$@" >"$stamp.$$" && mv -f "$stamp.$$" "$stamp"; } \
		2>/dev/null || rm -f "$stamp.$$"
}
if [[ $once -eq 1 && -f $stamp && $(<"$stamp") == "$(checked "$@")" ]]; then
	exit 0
fi
extra=("$@")

packages=(
	build-essential make gcc bc flex bison libelf-dev libssl-dev
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
	mmdebstrap debian-archive-keyring linux-source-6.12
	libkmod-dev libnl-genl-3-dev liburing-dev libjson-c-dev pkg-config
	libdrm-dev libibverbs-dev ibverbs-providers
	sparse dwarves
	gnuplot-nox jq
	python3-yaml python3-jsonschema
	abigail-tools man-db bash-completion
	e2fsprogs
	linux-perf
	"$@"
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
	record "${extra[@]}"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
record "${extra[@]}"
