#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: run the whole suite in a VM on each kernel given (default 6.1
# and 6.12), scan each console log for kernel splats, and end with one line
# "N passed, N failed, N skipped". Exits non-zero on any failure, any splat,
# or a VM that did not report an exit status.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$top/build/check
mkdir -p "$out"

kernels=("$@")
[[ ${#kernels[@]} -gt 0 ]] || kernels=(6.1 6.12)

passed=0 failed=0 skipped=0
summary=()
start=$SECONDS
for k in "${kernels[@]}"; do
	tap=$out/$k.tap
	log=$out/$k-console.log
	echo "# === kernel $k ==="
	t0=$SECONDS
	"$here/vm/run-vm" -k "$k" -l "$log" -t 2400 -- \
		sh /pinmgr/bin/guest-suite.sh | tee "$tap"
	rc=${PIPESTATUS[0]}

	# The console must be free of splats: a test of its own.
	if "$here/vm/splat-scan.sh" "$log"; then
		echo "ok - no kernel splat in the console log ($k)" | tee -a "$tap"
	else
		echo "not ok - no kernel splat in the console log ($k)" | tee -a "$tap"
	fi
	if [[ $rc -ge 124 ]]; then
		echo "not ok - the VM finished and reported a status ($k: $rc)" | tee -a "$tap"
	fi

	p=$(grep -cE '^ok ' "$tap" | head -1)
	s=$(grep -cE '^ok .*# SKIP' "$tap" | head -1)
	f=$(grep -cE '^not ok ' "$tap" | head -1)
	p=$((p - s))
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	summary+=("$(printf '%-24s %4d passed, %d failed, %d skipped in %ds' \
		"$k:" "$p" "$f" "$s" $((SECONDS - t0)))")
done

echo "# ---"
printf '# %s\n' "${summary[@]}"
echo "# wall time $((SECONDS - start))s; TAP and console logs in build/check/"
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
