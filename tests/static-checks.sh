#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks of the driver and the ABI, as TAP lines:
#  - checkpatch.pl --strict (from Debian's linux-source-6.12) on driver/ and
#    uapi/;
#  - the netlink family's generated files match its YAML spec (ynl-gen-c.py,
#    which also validates the spec against the genetlink schema);
#  - sparse (C=1) and W=1 with -Werror, against each kernel given, built
#    with that kernel's own compiler (its build root);
#  - pahole: no implicit holes or padding in any ABI structure, and each
#    kernel's compiler lays them out as user space does.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# Outside the tree, so that fresh clones on the same machine (CI) reuse it.
cache=${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}
work=$top/build/static
mkdir -p "$work"
# Build roots see the tree, not the rest of the host: work from inside it.
cd "$top"

"$here/vm/install-deps.sh"

kernels=("$@")
[[ ${#kernels[@]} -gt 0 ]] || kernels=(5.10 6.1 6.12 6.12-rt sid experimental)

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
files=$(cd "$top" && ls driver/*.c driver/*.h driver/conftest/*.c uapi/linux/*.h \
	tests/importer/*.c tests/importer/*.h)
# The expansions of uapi/pinmgr_tables.h take every column of a line and use
# those they need, and those that declare members end in ';': the two rules
# that X-macros break by design are off.
# shellcheck disable=SC2086 # one argument per file
(cd "$top" && "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --quiet \
	--show-types --ignore MACRO_ARG_UNUSED,TRAILING_SEMICOLON \
	-f $files) >"$work/checkpatch.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || sed 's/^/# /' "$work/checkpatch.log"
tap $rc "checkpatch --strict is clean on driver/, uapi/ and the test importer"

# The netlink family's generated code must be what its spec generates.
"$top/uapi/ynl-regen.sh" --check >"$work/ynl.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || sed 's/^/# /' "$work/ynl.log"
tap $rc "the netlink code generated from uapi/pinmgr.yaml is up to date"

# Every lease field and figure of uapi/pinmgr_tables.h is in the spec, and
# the other way round.
"$top/uapi/tables-check.py" >"$work/tables.log" 2>&1
rc=$?
sed 's/^/# /' "$work/tables.log"
tap $rc "uapi/pinmgr_tables.h and uapi/pinmgr.yaml list the same fields"

# The ABI structures, for pahole: user space's view (host compiler) and each
# kernel's view (its own compiler, from the module's DWARF) must agree.
abi_structs=(pinmgr_info pinmgr_pin pinmgr_unpin pinmgr_query pinmgr_list
	pinmgr_access pinmgr_segment pinmgr_get_segments pinmgr_pin_range
	pinmgr_pin_vec pinmgr_renew pinmgr_revoke pinmgr_event pinmgr_export)
{
	echo '#include <linux/pinmgr.h>'
	for s in "${abi_structs[@]}"; do echo "struct $s v_$s;"; done
} >"$work/abi.c"
gcc -g -c -I"$top/uapi" "$work/abi.c" -o "$work/abi.o"

# struct_sizes PAHOLE-COMMAND OBJECT: "name size" for each ABI struct, and
# "name HOLE" for one with a hole or padding.
struct_sizes() {
	local s
	for s in "${abi_structs[@]}"; do
		"${@:1:$#-1}" -C "$s" "${@: -1}" 2>/dev/null | awk -v s="$s" '
			/XXX|padding:/ { bad = 1 }
			/\/\* size: / { sub(",", "", $3); size = $3 }
			END { print s, (bad ? "HOLE" : (size ? size : "MISSING")) }'
	done
}
struct_sizes pahole "$work/abi.o" >"$work/abi-user.sizes"

# sparse and W=1, per kernel, in a copy so that nothing stale is reused, in
# the kernel's build root (its own compiler and sparse) when it has one.
for k in "${kernels[@]}"; do
	eval "$("$here/vm/kernel.sh" "$k")"
	d=$work/sparse-$KNAME
	rm -rf "$d" && mkdir -p "$d"
	cp -a "$top/driver" "$top/uapi" "$d/"
	in_root=()
	[[ -z $KROOT ]] || in_root=("$here/vm/in-root.sh" "$KROOT")
	# Debian's 7.x headers lack scripts/checker-valid.sh, without which
	# Kbuild quietly turns C=1 off: insist, and check below that sparse ran.
	force_check=()
	[[ -e $KROOT$KDIR/scripts/checker-valid.sh ]] || force_check=(KBUILD_CHECKSRC=1)
	(cd "$top" && "${in_root[@]}" make -C "$d/driver" KDIR="$KDIR" W=1 C=1 \
		KCFLAGS=-Werror "${force_check[@]}") >"$d/build.log" 2>&1
	rc=$?
	# sparse reports as warnings without failing the build.
	if grep -E 'warning:|error:' "$d/build.log" >/dev/null; then rc=1; fi
	# Every file the kernel's configuration builds (pinmgr_budget.c needs
	# cgroups, which the debug kernel has not).
	for c in "$top"/driver/*.c; do
		grep -qE "^ +CC \[M\] +.*$(basename "$c" .c)\.o\$" "$d/build.log" ||
			continue
		grep -qE "^ +CHECK +.*$(basename "$c")\$" "$d/build.log" ||
			{ echo "# sparse did not check $(basename "$c")"; rc=1; }
	done
	[[ $rc -eq 0 ]] || grep -E 'warning:|error:' "$d/build.log" | sed 's/^/# /'
	tap $rc "sparse (C=1) and W=1 are clean against $KNAME"

	# The kernel's layout of the ABI structs, from the module's DWARF, read
	# by the newer of the root's pahole and the host's: sid's DWARF 5 needs
	# sid's, and bullseye's 1.20 prints nothing for a module.
	pahole_cmd=("${in_root[@]}" pahole)
	if [[ -n $KROOT ]]; then
		v_root=$("${in_root[@]}" pahole --version)
		v_host=$(pahole --version)
		[[ $(printf '%s\n' "$v_root" "$v_host" | sort -V | tail -n 1) == "$v_root" ]] ||
			pahole_cmd=(pahole)
	fi
	if readelf -S "$d/driver/pinmgr.ko" | grep -q '\.debug_info'; then
		struct_sizes "${pahole_cmd[@]}" "$d/driver/pinmgr.ko" \
			>"$d/abi-kernel.sizes"
		diff -u "$work/abi-user.sizes" "$d/abi-kernel.sizes" | sed 's/^/# /'
		! grep -qE 'HOLE|MISSING' "$d/abi-kernel.sizes" &&
			cmp -s "$work/abi-user.sizes" "$d/abi-kernel.sizes"
		tap $? "pahole: the ABI structs of $KNAME's module match user space, without holes"
	else
		echo "# pahole: $KNAME builds modules without debug info; its layout is not read"
	fi
done

# pahole: every ABI struct must be laid out without holes or tail padding.
nstructs=$(grep -cvE 'HOLE|MISSING' "$work/abi-user.sizes")
if [[ $nstructs -ne ${#abi_structs[@]} ]]; then
	sed 's/^/# /' "$work/abi-user.sizes"
	tap 1 "pahole: no holes or padding in the $nstructs ABI structs"
else
	tap 0 "pahole: no holes or padding in the $nstructs ABI structs"
fi
