#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A Debian root of one suite in which modules for that suite's kernels are
# built, the way DKMS builds them on a real machine of that suite: with the
# suite's compiler (the one its kernel headers depend on, e.g. gcc-16 for
# sid's 7.x), its make, sparse and pahole. Made with mmdebstrap (about a
# minute) and cached by suite, package list and this script; a newer key
# replaces the older root of the same suite.
#
#   build-root.sh SUITE PACKAGE...   prints the root's path on stdout
#
# Run commands in it with in-root.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=$(realpath -m -- "${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}")

log() { echo "build-root: $*" >&2; }
die() { log "$*"; exit 1; }

[[ $# -ge 2 ]] || die "usage: build-root.sh SUITE PACKAGE..."
suite=$1
shift
mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
mapfile -t sources < <("$here/debian-apt.sh" "$suite" sources)

key=$({ printf '%s\n' "$suite" "${pkgs[@]}" "${sources[@]}"; cat "$0"; } |
	sha256sum | cut -c1-12)
dir=$cache/roots/$suite-$key
if [[ -e $dir/.pinmgr-done ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache/roots"
exec 9>"$cache/roots/.lock"
flock 9
if [[ ! -e $dir/.pinmgr-done ]]; then
	shopt -s nullglob
	for old in "$cache/roots/$suite"-*/; do
		old=${old%/}
		[[ $old == "$dir" ]] || { log "removing old root ${old##*/}"; rm -rf -- "$old"; }
	done
	# Experimental is no whole suite: its root is sid's, with the
	# packages named that only experimental has (debian-apt.sh).
	base=$suite
	[[ $suite != experimental ]] || base=sid
	log "making the $suite root (${pkgs[*]})"
	start=$SECONDS
	rm -rf -- "$dir"
	# Documentation is of no use to a compiler; sid's Release file is
	# sometimes past its Valid-Until on the mirrors.
	mmdebstrap --quiet --mode=root --variant=minbase \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--aptopt='Acquire::Languages "none"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--include="$(IFS=,; echo "${pkgs[*]}")" \
		"$base" "$dir" "${sources[@]}" >&2 ||
		{ rm -rf -- "$dir"; die "mmdebstrap of $suite failed"; }
	touch "$dir/.pinmgr-done"
	log "made in $((SECONDS - start)) s: $dir"
fi
echo "$dir"
