#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a command inside a build root (build-root.sh) with the project tree
# bound at the same path, so that paths mean the same inside and out, and
# /proc mounted (objtool reads it). The mounts live in a private mount
# namespace and vanish with the command. Needs root.
#
#   in-root.sh [-b DIR]... ROOT COMMAND [ARG...]
#
# runs in the current directory; each -b DIR is bound at the same path too
# (e.g. a kernel tree built outside the project, for dkms).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

binds=()
while [[ ${1:-} == -b ]]; do
	[[ $# -ge 2 ]] || break
	binds+=("$(cd "$2" && pwd)")
	shift 2
done
[[ $# -ge 2 ]] || { echo "usage: in-root.sh [-b DIR]... ROOT COMMAND [ARG...]" >&2; exit 2; }
root=$1
shift
[[ -x $root/usr/bin/make ]] || { echo "in-root.sh: $root is not a build root" >&2; exit 2; }

# A clean environment: the host's PATH and make's jobserver mean nothing
# inside the root.
exec unshare --mount --propagation private -- /bin/bash -c '
	set -e
	root=$1 top=$2 cwd=$3 nbind=$4
	shift 4
	mount -t proc proc "$root/proc"
	for dir in "$top" "${@:1:nbind}"; do
		mkdir -p "$root$dir"
		mount --bind "$dir" "$root$dir"
	done
	shift "$nbind"
	exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 /usr/bin/env -C "$cwd" "$@"
' in-root "$root" "$top" "$PWD" "${#binds[@]}" "${binds[@]}" "$@"
