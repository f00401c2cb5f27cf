#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Section 3 man pages for every function libpinctl exports, from the
# kernel-doc comments of libpinctl.h, with the kernel's scripts/kernel-doc
# (Debian's linux-source-6.12). The pages are kept in the tree:
#   gen-man.sh           write libpinctl/man/*.3
#   gen-man.sh --check   write them to a scratch directory and fail if they
#                        differ from the tree's or a symbol has no page
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lib=$(cd "$here/.." && pwd)
cache=${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}

src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
kd=$cache/kernel-doc/$src_ver/scripts/kernel-doc
if [[ ! -x $kd ]]; then
	mkdir -p "$cache/kernel-doc/$src_ver"
	tar -C "$cache/kernel-doc/$src_ver" --strip-components=1 \
		-xf /usr/src/linux-source-6.12.tar.xz --wildcards '*/scripts/kernel-doc'
fi

out=$here
check=0
if [[ ${1:-} == --check ]]; then
	check=1
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi

# The exported names, from the version script.
# (A function with an older version too is named in two sections: once.)
mapfile -t syms < <(sed -n 's/^\t\(pinctl_[a-z0-9_]*\);$/\1/p' "$lib/libpinctl.sym" |
	awk '!seen[$0]++')

warnings=$("$kd" -none "$lib/libpinctl.h" 2>&1) || true
if [[ -n $warnings ]]; then
	echo "$warnings" >&2
	echo "gen-man: kernel-doc warns about libpinctl.h" >&2
	exit 1
fi

# kernel-doc -function also prints a struct of the same name (struct
# pinctl_module_status): keep only the page whose NAME is not a struct's.
function_page() {
	awk 'function flush() { if (page !~ /\.SH NAME\nstruct /) printf "%s", page; page = "" }
	     /^\.TH / { flush() }
	     { page = page $0 "\n" }
	     END { flush() }'
}

for s in "${syms[@]}"; do
	"$kd" -man -function "$s" "$lib/libpinctl.h" 2>/dev/null | function_page | sed -E \
		-e 's/^\.TH "([^"]*)" 9 .*/.TH "\1" 3 "" "libpinctl" "libpinctl Manual"/' \
		-e 's/^\.B "PINCTL_API /.B "/' \
		-e 's/^\.SH SYNOPSIS$/.SH SYNOPSIS\n.B #include <libpinctl.h>\n.sp/' \
		-e 's/^\.SH "CONTEXT"$/.SH "THREAD SAFETY"/' >"$out/$s.3"
	printf '.SH "SEE ALSO"\n.BR libpinctl (3)\n' >>"$out/$s.3"
	grep -q '^\.SH NAME' "$out/$s.3" ||
		{ echo "gen-man: no kernel-doc comment for $s" >&2; exit 1; }
done

if [[ $check -eq 1 ]]; then
	rc=0
	for s in "${syms[@]}"; do
		if ! cmp -s "$out/$s.3" "$here/$s.3"; then
			echo "gen-man: libpinctl/man/$s.3 is missing or stale (run libpinctl/man/gen-man.sh)" >&2
			rc=1
		fi
	done
	for f in "$here"/pinctl_*.3; do
		s=$(basename "$f" .3)
		printf '%s\n' "${syms[@]}" | grep -qx "$s" ||
			{ echo "gen-man: $f documents no exported function" >&2; rc=1; }
	done
	exit $rc
fi
