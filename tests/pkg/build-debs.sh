#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make deb: build the Debian packages (pinmgr-dkms, libpinctl0,
# libpinctl-dev, pinctl) with dpkg-buildpackage in the bookworm packaging
# root (roots.sh), from a copy of the tree in which packaging/debian is
# debian/: the top level of the project is fixed and has no debian/.
#
#   build-debs.sh [OUTDIR]     default build/deb; the .debs and the
#                              .buildinfo/.changes land there
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(realpath -m -- "${1:-$top/build/deb}")

"$here/../vm/install-deps.sh"
eval "$("$here/roots.sh" pkg)"

version=$(sed -n '1s/^pinmgr (\([^)]*\)).*/\1/p' "$top/packaging/debian/changelog")
# The copy lives under the tree, which in-root.sh binds into the root.
work=$top/build/deb-src
src=$work/pinmgr-$version
rm -rf "$work"
mkdir -p "$src" "$out"
# The Makefile and its fragments (mk/), and what debian/rules' make lib and
# make install read: the DKMS tree takes driver/ and uapi/ (pinmgr_tables.h
# included) from here.
cp -a "$top"/{Makefile,mk,LICENSE,LICENSES,driver,uapi,libpinctl,cli} "$src/"
cp -a "$top/packaging" "$src/"
cp -a "$top/packaging/debian" "$src/debian"
# Objects of a build on the host must not leak into the package.
rm -f "$src"/driver/conftest.h

(cd "$src" && "$top/tests/vm/in-root.sh" "$PKG_ROOT" \
	dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "build-debs: dpkg-buildpackage failed; log: $work/build.log" >&2
	exit 1
}
rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out/"
cp "$work/build.log" "$out/build.log"
ls "$out"/*.deb
