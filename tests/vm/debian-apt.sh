#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# apt for one Debian suite with a configuration, package lists and archive
# cache of the project's own: the host's apt sources and state are never
# read or written. Kernel images, headers and build roots come through here.
#
#   debian-apt.sh SUITE sources           the suite's sources.list lines
#   debian-apt.sh SUITE apt-get ARGS...   apt-get with the private configuration
#   debian-apt.sh SUITE apt-cache ARGS... apt-cache likewise
#   debian-apt.sh SUITE update            refresh the lists now
#
# Suites: bullseye and bookworm (each with its updates and security suites),
# sid, and experimental (sid with experimental on top: experimental alone is
# not installable, and apt prefers its packages only where named). The lists
# are refreshed when older than PINMGR_APT_MAX_AGE seconds (default 3600),
# because sid moves daily. PINMGR_DEBIAN_MIRROR and PINMGR_DEBIAN_SECURITY
# choose the mirrors.
set -euo pipefail

cache=${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}
mirror=${PINMGR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${PINMGR_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
max_age=${PINMGR_APT_MAX_AGE:-3600}

die() { echo "debian-apt: $*" >&2; exit 1; }

suite=${1:-}
[[ $# -ge 2 ]] || die "usage: debian-apt.sh SUITE sources|update|apt-get|apt-cache [ARGS...]"
shift

sources() {
	local signed="[signed-by=$keyring]"
	case $suite in
	bullseye | bookworm)
		echo "deb $signed $mirror $suite main"
		echo "deb $signed $mirror $suite-updates main"
		echo "deb $signed $security $suite-security main" ;;
	sid)
		echo "deb $signed $mirror sid main" ;;
	experimental)
		echo "deb $signed $mirror sid main"
		echo "deb $signed $mirror experimental main" ;;
	*)
		die "unknown suite $suite (bullseye, bookworm, sid, experimental)" ;;
	esac
}

if [[ $1 == sources ]]; then
	sources
	exit 0
fi

dir=$cache/apt/$suite
mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts.d"
sources >"$dir/sources.list"
# Experimental's kernel packages win over sid's: the newest kernel Debian
# builds is what that suite is for here. Nothing else comes from it.
if [[ $suite == experimental ]]; then
	printf '%s\n' 'Package: linux-*' 'Pin: release a=experimental' \
		'Pin-Priority: 500' >"$dir/parts.d/kernel.pref"
fi
: >>"$dir/status"

# Sid's Release file is sometimes past its Valid-Until on the mirrors.
opts=(
	-o "Dir::Etc::SourceList=$dir/sources.list"
	-o "Dir::Etc::SourceParts=$dir/parts.d"
	-o "Dir::Etc::Preferences=$dir/parts.d/none"
	-o "Dir::Etc::PreferencesParts=$dir/parts.d"
	-o "Dir::State::Lists=$dir/lists"
	-o "Dir::State::status=$dir/status"
	-o "Dir::Cache=$dir"
	-o "Dir::Cache::Archives=$dir/archives"
	-o "Acquire::Check-Valid-Until=false"
	-o "Acquire::Languages=none"
	-o "APT::Sandbox::User=root"
	-o "APT::Architecture=amd64"
	-o "APT::Architectures=amd64"
)

update() {
	apt-get -q "${opts[@]}" update >&2 || die "cannot update the $suite lists"
	touch "$dir/updated"
}

# One refresh at a time; parallel runners wait and use the result.
exec 8>"$dir/.lock"
flock 8
if [[ $1 == update ]]; then
	update
	exit 0
fi
stamp=$(stat -c %Y "$dir/updated" 2>/dev/null || echo 0)
if (($(date +%s) - stamp > max_age)); then
	update
fi
flock -u 8

tool=$1
shift
case $tool in
apt-get | apt-cache) exec "$tool" "${opts[@]}" "$@" ;;
*) die "unknown command $tool" ;;
esac
