#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Look for kernel splats in a VM console log: print each with a little
# context and exit 1 if there is any. Taint messages for loading an unsigned
# out-of-tree module are expected and ignored.
set -euo pipefail
log=${1:?usage: splat-scan.sh CONSOLE_LOG}

# One extended regular expression, shared with the guest's /init, which
# checks the boot before it runs anything (see guest-init). Lockdep's
# reports are matched by their titles (most also say WARNING:), not by the
# word "lockdep", which a debug kernel's boot banner contains. PREEMPT_RT
# adds its own: sleeping in atomic context, rtmutex deadlocks.
pattern=$(cat "$(dirname "$0")/splat-patterns")
if grep -nE "$pattern" "$log" >/dev/null; then
	echo "splat-scan: kernel splat in $log:" >&2
	grep -nE -A3 "$pattern" "$log" | head -60 >&2
	exit 1
fi
exit 0
