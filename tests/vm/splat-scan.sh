#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Look for kernel splats in a VM console log: print each with a little
# context and exit 1 if there is any. Taint messages for loading an unsigned
# out-of-tree module are expected and ignored.
set -euo pipefail
log=${1:?usage: splat-scan.sh CONSOLE_LOG}

pattern='BUG:|WARNING:|Oops|general protection fault|kernel BUG|Kernel panic|UBSAN:|KASAN:|KFENCE:|possible circular locking|possible recursive locking|inconsistent lock state|lockdep|suspicious RCU usage|unreferenced object|hung_task|soft lockup|hard LOCKUP|Call Trace:|RIP: '
if grep -nE "$pattern" "$log" >/dev/null; then
	echo "splat-scan: kernel splat in $log:" >&2
	grep -nE -A3 "$pattern" "$log" | head -60 >&2
	exit 1
fi
exit 0
