#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Generate the code of the `pinmgr` generic netlink family from its spec,
# uapi/pinmgr.yaml, with the kernel's own generator (tools/net/ynl/ynl-gen-c.py
# of Debian's linux-source-6.12), validating the spec against the kernel's
# genetlink-legacy schema on the way:
#
#   uapi/linux/pinmgr_netlink.h          the uapi header
#   driver/pinmgr_nl_gen.h, .c           the kernel's policy and op tables
#
#   ynl-regen.sh           write them
#   ynl-regen.sh --check   write nothing; fail if they differ from the spec's
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=$(realpath -m -- "${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}")
srcpkg=linux-source-6.12
tarball=/usr/src/$srcpkg.tar.xz
# Debian's python, whose yaml and jsonschema install-deps.sh installs.
python=/usr/bin/python3

die() { echo "ynl-regen: $*" >&2; exit 1; }

check=0
case ${1:-} in
"") ;;
--check) check=1 ;;
*) die "usage: ynl-regen.sh [--check]" ;;
esac

[[ -r $tarball ]] || die "missing $tarball (run tests/vm/install-deps.sh)"
ver=$(dpkg-query -W -f='${Version}' "$srcpkg")
ynl=$cache/ynl/$ver
if [[ ! -f $ynl/done ]]; then
	rm -rf "$cache/ynl"
	mkdir -p "$ynl"
	tar -C "$ynl" --strip-components=1 -xf "$tarball" \
		--wildcards '*/tools/net/ynl/*' '*/Documentation/netlink/*.yaml'
	touch "$ynl/done"
fi

# The generator finds the schema two directories above the spec and names
# the spec by its path below the tree that holds a MAINTAINERS file.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/uapi"
touch "$work/MAINTAINERS"
cp "$ynl/Documentation/netlink/genetlink-legacy.yaml" "$work/"
cp "$top/uapi/pinmgr.yaml" "$work/uapi/"

gen() {
	"$python" "$ynl/tools/net/ynl/ynl-gen-c.py" \
		--spec "$work/uapi/pinmgr.yaml" --mode "$1" "$2" -o "$work/$3" ||
		die "ynl-gen-c.py --mode $1 $2 failed"
}
gen uapi --header pinmgr_netlink.h
gen kernel --header pinmgr_nl_gen.h
gen kernel --source pinmgr_nl_gen.c

status=0
for pair in pinmgr_netlink.h:uapi/linux/pinmgr_netlink.h \
	    pinmgr_nl_gen.h:driver/pinmgr_nl_gen.h \
	    pinmgr_nl_gen.c:driver/pinmgr_nl_gen.c; do
	new=$work/${pair%%:*} dst=$top/${pair#*:}
	if [[ $check -eq 1 ]]; then
		if ! diff -u "$dst" "$new" >&2; then
			echo "ynl-regen: ${pair#*:} is not what uapi/pinmgr.yaml generates" >&2
			status=1
		fi
	else
		cp "$new" "$dst"
	fi
done
exit $status
