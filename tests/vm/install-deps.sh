#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages the project needs on the host, idempotently:
# apt runs only when something is missing, so a warm machine pays one
# dpkg-query. No kernel package is installed on the host: images and headers
# come through the project's own apt configuration (debian-apt.sh) into its
# cache and build roots, so /boot and the host's kernels are never touched.
# Usage: install-deps.sh [extra-package...]
set -euo pipefail

packages=(
	build-essential make gcc bc flex bison libelf-dev libssl-dev
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
	mmdebstrap debian-archive-keyring linux-source-6.12
	libkmod-dev libnl-genl-3-dev liburing-dev libjson-c-dev pkg-config
	sparse dwarves
	gnuplot-nox jq
	python3-yaml python3-jsonschema
	abigail-tools man-db bash-completion
	e2fsprogs
	"$@"
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
