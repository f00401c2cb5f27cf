#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks of the driver and the ABI, as TAP lines:
#  - checkpatch.pl --strict (from Debian's linux-source-6.12) on driver/ and
#    uapi/;
#  - sparse (C=1) and W=1 with -Werror, against each kernel given;
#  - pahole: no implicit holes or padding in any ABI structure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# Outside the tree, so that fresh clones on the same machine (CI) reuse it.
cache=${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}
work=$top/build/static
mkdir -p "$work"

"$here/vm/install-deps.sh" linux-source-6.12 sparse dwarves

kernels=("$@")
[[ ${#kernels[@]} -gt 0 ]] || kernels=(6.1 6.12)

tap() {
	if [[ $1 -eq 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# checkpatch and the data files it reads, from the kernel source package.
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
cp_dir=$cache/checkpatch/$src_ver
if [[ ! -f $cp_dir/scripts/checkpatch.pl ]]; then
	rm -rf "$cache/checkpatch"
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
files=$(cd "$top" && ls driver/*.c driver/*.h driver/conftest/*.c uapi/linux/*.h)
# shellcheck disable=SC2086 # one argument per file
(cd "$top" && "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --quiet \
	--show-types -f $files) >"$work/checkpatch.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || sed 's/^/# /' "$work/checkpatch.log"
tap $rc "checkpatch --strict is clean on driver/ and uapi/"

# sparse and W=1, per kernel, in a copy so that nothing stale is reused.
for k in "${kernels[@]}"; do
	eval "$("$here/vm/kernel.sh" "$k")"
	d=$work/sparse-$KNAME
	rm -rf "$d" && mkdir -p "$d"
	cp -a "$top/driver" "$top/uapi" "$d/"
	make -C "$d/driver" KDIR="$KDIR" W=1 C=1 KCFLAGS=-Werror \
		>"$d/build.log" 2>&1
	rc=$?
	# sparse reports as warnings without failing the build.
	if grep -E 'warning:|error:' "$d/build.log" >/dev/null; then rc=1; fi
	[[ $rc -eq 0 ]] || grep -E 'warning:|error:' "$d/build.log" | sed 's/^/# /'
	tap $rc "sparse (C=1) and W=1 are clean against $KNAME"
done

# pahole: every ABI struct must be laid out without holes or tail padding.
cat >"$work/abi.c" <<'C'
#include <linux/pinmgr.h>
struct pinmgr_info a1;
struct pinmgr_pin a2;
struct pinmgr_unpin a3;
struct pinmgr_query a4;
struct pinmgr_list a5;
struct pinmgr_access a6;
struct pinmgr_segment a7;
struct pinmgr_get_segments a8;
C
gcc -g -c -I"$top/uapi" "$work/abi.c" -o "$work/abi.o"
pahole "$work/abi.o" >"$work/pahole.log" 2>&1
nstructs=$(grep -c '^struct pinmgr_' "$work/pahole.log")
if grep -qE 'XXX|padding:' "$work/pahole.log" || [[ $nstructs -lt 8 ]]; then
	grep -E '^struct|XXX|padding' "$work/pahole.log" | sed 's/^/# /'
	tap 1 "pahole: no holes or padding in the $nstructs ABI structs"
else
	tap 0 "pahole: no holes or padding in the $nstructs ABI structs"
fi
