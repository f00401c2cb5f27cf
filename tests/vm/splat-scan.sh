#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Look for kernel splats in a VM console log: print each with a little
# context and exit 1 if there is any. Taint messages for loading an unsigned
# out-of-tree module are expected and ignored.
set -euo pipefail
log=${1:?usage: splat-scan.sh CONSOLE_LOG}

# Lockdep's reports are matched by their titles (most also say WARNING:), not
# by the word "lockdep", which a debug kernel's boot banner contains.
pattern='BUG:|WARNING:|Oops|general protection fault|kernel BUG|Kernel panic|UBSAN:|KASAN:|KFENCE:|possible circular locking|possible recursive locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON|INFO: (possible|trying to register|task .* blocked|rcu)|suspicious RCU usage|unreferenced object|new suspected memory leaks|soft lockup|hard LOCKUP|Call Trace:|RIP: '
if grep -nE "$pattern" "$log" >/dev/null; then
	echo "splat-scan: kernel splat in $log:" >&2
	grep -nE -A3 "$pattern" "$log" | head -60 >&2
	exit 1
fi
exit 0
