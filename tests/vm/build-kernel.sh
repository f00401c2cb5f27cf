#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build a 6.12 kernel of one flavour from Debian's linux-source-6.12, once
# per (flavour, source version, config fragments, this script):
#
#   debug  the reliability lane: KASAN, lockdep, kmemleak, DEBUG_VM, UBSAN,
#          debugobjects, fault injection, GUP_TEST (kernel-debug.config)
#   perf   the benchmarks: no checker, voluntary preemption as Debian's,
#          GUP_TEST (kernel-perf.config)
#
# Every flavour is tinyconfig + kernel-base.config + kernel-FLAVOUR.config.
# Prints one line on stdout: the build tree, usable both as the VM kernel
# (KDIR/arch/x86/boot/bzImage) and as KDIR for `make -C KDIR M=... modules`.
# Everything else goes to stderr or to <dir>/build.log.

set -euo pipefail

usage() {
	cat <<EOF
usage: ${0##*/} debug|perf [--print-dir]

Build (or reuse) the cached 6.12 kernel of a flavour and print its build
tree (KDIR).
  --print-dir  print the cache directory of the current key, build nothing

Cache: \${PINMGR_CACHE:-~/.cache/pinmgr}/FLAVOUR-kernel/<key>/
EOF
}

print_dir=0 flavour=
for arg in "$@"; do
	case $arg in
	--print-dir) print_dir=1 ;;
	-h | --help) usage; exit 0 ;;
	debug | perf) [ -z "$flavour" ] || { usage >&2; exit 2; }; flavour=$arg ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ -n "$flavour" ] || { usage >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script=$here/${BASH_SOURCE[0]##*/}
base_fragment=$here/kernel-base.config
fragment=$here/kernel-$flavour.config
srcpkg=linux-source-6.12
# The one machine path we rely on: where the Debian package puts its tarball.
tarball=/usr/src/$srcpkg.tar.xz
pkgs=("$srcpkg" flex bison bc libelf-dev libssl-dev dwarves)
# Absolute, so that the printed KDIR works from any directory.
# Outside the tree, so that fresh clones on the same machine (CI) reuse it.
# One directory per flavour: a new key of one never removes another's build.
cache=$(realpath -m -- "${PINMGR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pinmgr}/$flavour-kernel")

log() { echo "build-kernel ($flavour): $*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_packages() {
	local p missing=()
	for p in "${pkgs[@]}"; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${pkgs[@]}" >&2
}

# The installed version keys the cache; before the package is installed
# (--print-dir on a fresh machine) the version apt would install stands in.
source_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || true)
	[ -n "$v" ] || v=$(apt-cache policy "$srcpkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	case $v in "" | "(none)") die "cannot tell the version of $srcpkg" ;; esac
	echo "$v"
}

cache_key() {
	{ echo "$flavour"; source_version; cat "$base_fragment" "$fragment" "$script"; } |
		sha256sum | cut -c1-12
}

# Every value the fragments set must be in the final .config: olddefconfig
# silently drops symbols whose dependencies are unmet. No symbol is set by
# both fragments.
verify_config() {
	local cfg=$1 line sym bad=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" || bad+=("$line (have: $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo absent))")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -qE "^$sym=[ym]$" "$cfg" || bad+=("$line (have: $(grep -E "^$sym=" "$cfg"))")
			;;
		esac
	done < <(cat "$base_fragment" "$fragment")
	if [ ${#bad[@]} -ne 0 ]; then
		log "olddefconfig did not keep these fragment lines:"
		printf '  %s\n' "${bad[@]}" >&2
		return 1
	fi
}

[ -r "$base_fragment" ] || die "missing $base_fragment"
[ -r "$fragment" ] || die "missing $fragment"

if [ $print_dir -eq 1 ]; then
	key=$(cache_key)
	echo "$cache/$key"
	exit 0
fi

ensure_packages
[ -r "$tarball" ] || die "missing $tarball (package $srcpkg)"

key=$(cache_key)
dir=$cache/$key
src=$dir/src
if [ -e "$dir/done" ]; then
	echo "$src"
	exit 0
fi

mkdir -p "$cache"
# One builder at a time per cache; a second caller waits and reuses the result.
exec 9>"$cache/.lock"
flock 9
if [ -e "$dir/done" ]; then
	echo "$src"
	exit 0
fi

# Older keys are dead weight (several GiB each).
shopt -s nullglob
for old in "$cache"/*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || { log "removing old build ${old##*/}"; rm -rf -- "$old"; }
done

mkdir -p "$dir"
buildlog=$dir/build.log
: >"$buildlog"
on_exit() {
	local rc=$?
	if [ $rc -ne 0 ]; then
		log "failed (exit $rc); last lines of $buildlog:"
		tail -n 60 "$buildlog" >&2 || true
	fi
}
trap on_exit EXIT

start=$SECONDS
jobs=$(nproc)
kmake() { make -C "$src" -j"$jobs" "$@" >>"$buildlog" 2>&1; }

# An interrupted extraction is redone; an interrupted build resumes.
if [ ! -e "$src/.pinmgr-extracted" ]; then
	log "extracting $tarball"
	rm -rf -- "$src"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	touch "$src/.pinmgr-extracted"
fi

log "configuring (tinyconfig + ${base_fragment##*/} + ${fragment##*/})"
kmake tinyconfig
(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$base_fragment" "$fragment") \
	>>"$buildlog" 2>&1
kmake olddefconfig
verify_config "$src/.config"
if grep -q '=m$' "$src/.config"; then
	log "note: .config has modules (=m): $(grep '=m$' "$src/.config" | tr '\n' ' ')"
fi

log "building bzImage (several minutes; log: $buildlog)"
kmake bzImage modules_prepare
# `modules` runs modpost over vmlinux: external builds need Module.symvers.
kmake modules
for f in arch/x86/boot/bzImage Module.symvers scripts/mod/modpost; do
	[ -e "$src/$f" ] || die "build produced no $f"
done

touch "$dir/done"
log "built in $((SECONDS - start)) s: $src"
echo "$src"
