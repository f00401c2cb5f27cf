#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side checks of libpinctl and pinctl, as TAP lines (make check runs
# them after the static checks):
#  - the library, its static twin, its pkg-config file and pinctl build
#    cleanly (-Wall -Wextra -Werror);
#  - the shared object's SONAME, and its exports: exactly the names of
#    libpinctl.sym, each a PINCTL_API of libpinctl.h, each at the version
#    of its section (and an older version where two sections name it);
#  - no mutable global state and no output of its own in the library;
#  - abidiff against the ABI baseline libpinctl/abi/libpinctl.abi: any
#    change to a released interface fails (added symbols in a new version
#    node pass; make abi-baseline records a deliberate change);
#  - a man page for every exported function, up to date with the header,
#    and pinctl(8) and libpinctl(3) render;
#  - an application builds against the installed library (DESTDIR) with
#    pkg-config --cflags --libs libpinctl alone, shared and static, and runs;
#  - the bash completion parses.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$top/build/lib-checks
rm -rf "$work"
mkdir -p "$work"
cd "$top" || exit 1

tap() {
	if [[ $1 -eq 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi
}
diag() { sed 's/^/# /'; }

"$here/../vm/install-deps.sh" >&2

make -s lib >"$work/build.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || diag <"$work/build.log"
tap $rc "libpinctl (shared, static, pkg-config) and pinctl build with -Werror"
[[ $rc -eq 0 ]] || exit 0

so=$(ls build/user/lib/libpinctl.so.*.*.*)
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ $soname == libpinctl.so.0 ]]
tap $? "SONAME is libpinctl.so.0 ($soname)"

# Exports: nm -D --defined-only, against the version script and the header.
nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sort >"$work/exported"
sed -n 's/^\t\(pinctl_[a-z0-9_]*\);$/\1/p' libpinctl/libpinctl.sym | sort -u >"$work/mapped"
grep -o '^PINCTL_API [^(]*(' libpinctl/libpinctl.h |
	sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort >"$work/declared"
# Each symbol at the version of the section that lists it: the default
# (@@) at the newest, an older version (@) kept for programs built before
# at each earlier one (libpinctl.sym says how).
awk '/^LIBPINCTL_[0-9]+ \{/ { v = $1 }
     /^\tpinctl_[a-z0-9_]*;$/ { sub(/^\t/, ""); sub(/;$/, ""); n[$0]++; at[$0, n[$0]] = v }
     END { for (s in n) for (i = 1; i <= n[s]; i++)
		print s (i == n[s] ? "@@" : "@") at[s, i] }' \
	libpinctl/libpinctl.sym | sort >"$work/mapped-versioned"
diff -u "$work/mapped-versioned" "$work/exported" | diag
cmp -s "$work/mapped-versioned" "$work/exported"
tap $? "the library exports exactly the symbols of libpinctl.sym, each at its section's version ($(wc -l <"$work/exported"))"
diff -u "$work/declared" "$work/mapped" | diag
cmp -s "$work/declared" "$work/mapped"
tap $? "every PINCTL_API function of libpinctl.h is in libpinctl.sym, and nothing else"

# No writable globals: nothing in .data or .bss (.data.rel.ro is read-only
# once relocated).
globals=$(objdump -t build/libpinctl/*.o |
	awk '$4 ~ /^(\.data|\.bss|\.data\.rel|\.data\.rel\.local|\*COM\*)$/ { print $NF }')
[[ -z $globals ]] || echo "$globals" | diag
[[ -z $globals ]]
tap $? "the library has no mutable global state"
out=$(grep -nE '\b(printf|fprintf|puts|fputs|perror|vfprintf|putchar) *\(|write\((1|2|STDOUT_FILENO|STDERR_FILENO),|\b(stderr|stdout)\b' \
	libpinctl/*.c | grep -vE 'format\(printf|^[^:]*:[0-9]+:\s*/?\*')
[[ -z $out ]] || echo "$out" | diag
[[ -z $out ]]
tap $? "the library prints nothing of its own (a log callback instead)"
out=$(grep -nE '\bopen\(|\bfopen\(|\bsocket\(|memfd_create\(' libpinctl/*.c |
	grep -vE 'O_CLOEXEC|"re"|"we"')
[[ -z $out ]] || echo "$out" | diag
[[ -z $out ]]
tap $? "every descriptor the library opens is close-on-exec"

# The ABI against the baseline.
if [[ ! -f libpinctl/abi/libpinctl.abi ]]; then
	tap 1 "abidiff: no baseline libpinctl/abi/libpinctl.abi (make abi-baseline)"
else
	abidiff --no-added-syms --headers-dir2 libpinctl \
		libpinctl/abi/libpinctl.abi "$so" >"$work/abidiff.log" 2>&1
	rc=$?
	[[ $rc -eq 0 ]] || diag <"$work/abidiff.log"
	tap $rc "abidiff: the ABI of libpinctl.so.0 matches libpinctl/abi/libpinctl.abi (exit $rc)"
fi

# ... and the check sees a break: a copy without pinctl_unpin and with a
# field of struct pinctl_lease narrowed must fail it.
mut=$work/abi-break
mkdir -p "$mut"
cp libpinctl/*.c libpinctl/*.h libpinctl/libpinctl.sym "$mut/"
sed -i '/^\tpinctl_unpin;$/d' "$mut/libpinctl.sym"
sed -i 's/^\tuint64_t nr_runs;$/\tuint32_t nr_runs;/' "$mut/libpinctl.h"
# shellcheck disable=SC2046
gcc -std=gnu11 -O2 -g -fPIC -fvisibility=hidden -shared -Iuapi \
	$(pkg-config --cflags libnl-genl-3.0 libkmod) -Wl,-soname,libpinctl.so.0 \
	-Wl,--version-script="$mut/libpinctl.sym" "$mut"/*.c -o "$mut/libpinctl.so.0" \
	$(pkg-config --libs libnl-genl-3.0 libkmod) -lpthread >"$mut/build.log" 2>&1 &&
	! abidiff --no-added-syms --headers-dir2 "$mut" libpinctl/abi/libpinctl.abi \
		"$mut/libpinctl.so.0" >"$mut/abidiff.log" 2>&1 &&
	grep -q "pinctl_unpin" "$mut/abidiff.log" && grep -q "nr_runs" "$mut/abidiff.log"
tap $? "abidiff: a removed function and a changed structure fail the check"

# Man pages.
libpinctl/man/gen-man.sh --check 2>&1 | diag
tap "${PIPESTATUS[0]}" "a section 3 man page for every exported function, up to date with libpinctl.h"
rc=0
for m in libpinctl/man/*.3 cli/pinctl.8; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$m" 2>&1 >/dev/null)
	[[ -z $w ]] || { echo "$m: $w" | diag; rc=1; }
done
tap $rc "man pages render without warnings"

# An application against the installed library, with pkg-config alone.
stage=$work/stage
make -s install-lib install-cli DESTDIR="$stage" PREFIX=/usr >"$work/install.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || diag <"$work/install.log"
tap $rc "make install-lib install-cli (DESTDIR, PREFIX)"
pc() {
	PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$stage/usr/lib/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
		pkg-config "$@" libpinctl
}
# shellcheck disable=SC2046 # pkg-config's words are the flags
gcc -o "$work/app" tests/lib/app/pkgconfig-app.c $(pc --cflags --libs) >"$work/app.log" 2>&1 &&
	LD_LIBRARY_PATH=$stage/usr/lib "$work/app" >>"$work/app.log" 2>&1
rc=$?
diag <"$work/app.log"
tap $rc "an application builds with pkg-config --cflags --libs libpinctl alone and runs"
# libpinctl.a, with its dependencies (Requires.private) shared: their own
# static closure (libkmod's zstd, lzma, crypto) is not the library's.
# shellcheck disable=SC2046
gcc -o "$work/app-static" tests/lib/app/pkgconfig-app.c \
	$(pc --cflags --libs-only-L) -Wl,-Bstatic -lpinctl -Wl,-Bdynamic \
	$(pkg-config --libs libnl-genl-3.0 libkmod) -lpthread >"$work/app-static.log" 2>&1 &&
	"$work/app-static" >>"$work/app-static.log" 2>&1 &&
	! ldd "$work/app-static" | grep -q libpinctl
rc=$?
[[ $rc -eq 0 ]] || diag <"$work/app-static.log"
tap $rc "the same application links libpinctl.a statically and runs"

bash -n cli/pinctl.bash-completion
tap $? "the bash completion parses"
got=$(bash -c '
	source /usr/share/bash-completion/bash_completion
	source cli/pinctl.bash-completion
	comp() {
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
		_pinctl; echo "${COMPREPLY[*]}"
	}
	comp pinctl le
	comp pinctl lease ""
	comp pinctl -j lease list ""
	comp pinctl -j le l ""
	comp pinctl module ""
	comp pinctl pin 64M lo
	comp pinctl pin 64M backing ""
	comp pinctl --p
	comp pinctl lease list state st
	comp pinctl pin 64M wa' 2>&1)
want=$(printf '%s\n' lease "list show revoke help" "pid uid comm cookie state" \
	"pid uid comm cookie state" "show load unload help" longterm \
	"anon thp hugetlb memfd" "--pretty --prometheus" stale "watch watch-only")
[[ $got == "$want" ]] || diff <(echo "$want") <(echo "$got") | diag
[[ $got == "$want" ]]
tap $? "the bash completion completes objects, commands, filters and options"
