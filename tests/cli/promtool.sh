#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the path of Prometheus's own promtool, extracted from Debian's
# prometheus package into the cache (the server is never installed or run).
# The package is fetched with the host's apt (apt-get download, as root,
# into the cache) once per version.
set -euo pipefail

cache=${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}
ver=$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [[ -z $ver || $ver == "(none)" ]]; then
	[[ $(id -u) -eq 0 ]] && apt-get update -qq >&2
	ver=$(apt-cache policy prometheus | sed -n 's/^ *Candidate: //p')
fi
[[ -n $ver && $ver != "(none)" ]] || { echo "promtool.sh: no prometheus package" >&2; exit 1; }
dir=$cache/promtool/$ver
if [[ ! -x $dir/usr/bin/promtool ]]; then
	mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -qq "prometheus=$ver" >&2)
	dpkg-deb -x "$dir"/deb/prometheus_*.deb "$dir/root"
	mkdir -p "$dir/usr/bin"
	cp "$dir/root/usr/bin/promtool" "$dir/usr/bin/promtool"
	rm -rf "$dir/root" "$dir/deb"
fi
echo "$dir/usr/bin/promtool"
