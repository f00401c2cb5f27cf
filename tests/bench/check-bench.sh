#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The bench step of `make check`: one boot of KERNEL running
# `pinmgr-bench --quick`, judged only on whether it worked, never on its
# timings. Prints TAP lines:
#   - the guest's (module loads and unloads, the bench exits 0,
#     nr_hugepages restored, pin counters balance);
#   - the VM reported a status; the JSON came back and parses; every
#     interface has a figure or a recorded error; the netlink dump has its
#     figures and returned exactly the leases pinned for it; PIN+UNPIN
#     with and without a monitor listener has its figures and the listener
#     read every event; the floor of two system calls has its figures;
#     watched leases have theirs (a cache hit beside io_uring and
#     PIN+UNPIN, PIN+UNPIN with and without a watch, munmap() with a
#     watched lease, the STALE event's delay); exported leases have
#     theirs beside udmabuf's, mapped for edu with one scatterlist entry
#     per 2 MiB page; PIN+UNPIN with the pinmgr tracepoints disabled and
#     enabled has its figures, every event traced; a census among the
#     processes added for it saw them all; no kernel splat.
# Keeps the VM output, the JSON and the console log in OUTDIR.
#
# usage: check-bench.sh KERNEL OUTDIR
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

[[ $# -eq 2 ]] || { echo "usage: check-bench.sh KERNEL OUTDIR" >&2; exit 2; }
k=$1 out=$2
label=${k##*/}
mkdir -p "$out"
vmout=$out/$label-bench.out
json=$out/$label-bench.json
log=$out/$label-bench-console.log

tap() {
	if [[ $1 -eq 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# KASAN's shadow needs room, as for the suite; quick mode needs 2 MiB of
# hugetlb at most.
"$top/tests/vm/run-vm" -k "$k" -m 3072 -t 900 -l "$log" -e -- \
	sh /pinmgr/bin/guest-bench.sh --quick >"$vmout" 2>&1
rc=$?
grep -E '^(ok|not ok)( |$)' "$vmout"
[[ $rc -lt 124 ]]
tap $? "the VM finished and reported a status ($label bench: $rc)"

"$here/bench-output.sh" extract json "$vmout" >"$json"
jq -e 'type == "object" and .tool == "pinmgr-bench"' "$json" >/dev/null 2>&1
parsed=$?
tap $parsed "the bench's JSON came back and parses ($label)"
if [[ $parsed -eq 0 ]]; then
	problems=$("$here/bench-output.sh" problems "$json")
	[[ -n $problems ]] && printf '# %s\n' "$problems"
	[[ -z $problems ]]
	tap $? "every interface has a figure or a recorded error ($label)"
else
	tap 1 "every interface has a figure or a recorded error ($label)"
fi

# The netlink parts must have run here, not merely recorded an error.
jq -e '.netlink_dump | .status == "ok" and .verified == true and
	.leases > 0 and .verification.handles_received == .leases and
	(.dump.median_ns | type == "number") and
	(.dump_in_nl_recv.median_ns | type == "number") and
	(.raw_dump.median_ns | type == "number") and
	(.leases_per_s | type == "number") and .datagrams_max > 0 and
	.messages_max == .leases' "$json" >/dev/null 2>&1
tap $? "the netlink dump returned exactly the pinned leases, with its figures ($label)"
jq -e '.pin_unpin_monitor | .status == "ok" and
	(.without_listener.median_ns | type == "number") and
	(.with_listener.median_ns | type == "number") and
	(.with_listener_read_after.median_ns | type == "number") and
	(.ratio_with_to_without | type == "number") and
	(.ratio_read_after_to_without | type == "number") and
	has("ratio_io_uring_to_pinmgr") and .listener.verified == true and
	.listener.pinned_events > 0' "$json" >/dev/null 2>&1
tap $? "PIN+UNPIN with and without a monitor listener, every event read ($label)"
jq -e '.syscall_floor | .status == "ok" and .rounds > 0 and
	(.null_ioctl_pair.median_ns | type == "number") and
	(.getppid_pair.median_ns | type == "number") and
	(.pinmgr_wl.median_ns | type == "number") and
	.pinmgr_wl.median_ns > .null_ioctl_pair.median_ns and
	(.pinmgr_above_floor_ns | type == "number")' "$json" >/dev/null 2>&1
tap $? "the floor of two system calls has its figures, under PIN+UNPIN ($label)"
# Watched leases: every row and ratio, THP where the kernel gave it, and
# every STALE event read after its munmap().
jq -e '.watched_leases | .status == "ok" and .rounds > 0 and
	(.cache_hit.median_ns | type == "number") and
	(.pin_unpin.median_ns | type == "number") and
	(.pin_unpin_watch.median_ns | type == "number") and
	(.munmap_no_lease.median_ns | type == "number") and
	(.munmap_lease.median_ns | type == "number") and
	(.munmap_watched.median_ns | type == "number") and
	(.ratio_pin_unpin_to_hit | type == "number") and
	(.ratio_watch_to_unwatched | type == "number") and
	(.ratio_munmap_watched_to_lease | type == "number") and
	(.ratio_munmap_watched_to_no_lease | type == "number") and
	has("ratio_io_uring_to_hit") and
	.pin_unpin.median_ns > .cache_hit.median_ns and
	((.thp.status == "ok" and (.thp.pin_unpin.median_ns | type == "number") and
	  (.thp.pin_unpin_watch.median_ns | type == "number") and
	  (.thp.ratio_watch_to_unwatched | type == "number")) or
	 (.thp.status != "ok" and (.thp.reason | type == "string"))) and
	.stale_event.status == "ok" and .stale_event.samples > 0 and
	(.stale_event.munmap_return_to_read.median_ns | type == "number")' \
	"$json" >/dev/null 2>&1
tap $? "watched leases: a cache hit, PIN+UNPIN with and without a watch, munmap() and the STALE event have their figures ($label)"
# Exported leases: both exporters on every backing the kernel gave, the
# importer's map as long as the memfd, and pinmgr's map of a 2 MiB THP or
# hugetlb memfd one entry.
jq -e '.exported_leases | .status == "ok" and
	([.cells[] | select(.status == "ok")] | length) >= 3 and
	all(.cells[] | select(.status == "ok");
	    (.pinmgr.median_ns | type == "number") and
	    (.udmabuf.median_ns | type == "number") and
	    (.ratio_pinmgr_to_udmabuf | type == "number") and
	    .pinmgr.sg_entries >= 1 and .pinmgr.dma_segments >= 1 and
	    (.backing == "4k" or .size_bytes != 2097152 or
	     .pinmgr.sg_entries == 1))' "$json" >/dev/null 2>&1
tap $? "exported leases: PIN+EXPORT and udmabuf, attached and mapped for edu, have their figures ($label)"

# The debug kernel has tracefs: the tracepoints' row must have run, every
# pin and unpin traced while enabled and none while disabled.
jq -e '.pin_unpin_trace | .status == "ok" and .rounds > 0 and
	(.disabled.median_ns | type == "number") and
	(.enabled.median_ns | type == "number") and
	(.ratio_enabled_to_disabled | type == "number") and
	.trace.verified == true and .trace.device_pins > 0 and
	.trace.events_written == .trace.device_pins + .trace.device_unpins and
	.trace.events_written_disabled == 0' "$json" >/dev/null 2>&1
tap $? "PIN+UNPIN with the pinmgr tracepoints disabled and enabled, every event traced ($label)"
# The census among the added processes: it saw them all. (The bench
# returns only once it has reaped every one.)
jq -e '.census | .status == "ok" and .processes_added > 0 and
	.processes_censused >= .processes_added and .processes_hidden == 0 and
	(.census.median_ns | type == "number") and
	(.baseline.median_ns | type == "number") and .verified == true' \
	"$json" >/dev/null 2>&1
tap $? "a census among $(jq -r '.census.processes_added // 0' "$json" 2>/dev/null) more processes saw them all, with its figures ($label)"

"$top/tests/vm/splat-scan.sh" "$log"
tap $? "no kernel splat in the console log ($label bench)"
