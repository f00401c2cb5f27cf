#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host side of pinmgr-bench's output, for `make bench` and `make check`:
#
#   bench-output.sh extract table|json VM_OUTPUT   the table or the JSON the
#                                                  guest printed between markers
#   bench-output.sh problems BENCH_JSON            what is missing from a run:
#                                                  one line per interface with
#                                                  neither a figure nor a
#                                                  recorded error; none = good
#   bench-output.sh plot BENCH_JSON PNG            cost per page against range
#                                                  size, a panel per backing
set -euo pipefail

die() { echo "bench-output: $*" >&2; exit 1; }

extract() {
	local what=$1 file=$2 tag
	case $what in
	table) tag=TABLE ;;
	json) tag=JSON ;;
	*) die "extract table|json FILE" ;;
	esac
	sed -n "/^@@PINMGR-BENCH-$tag-BEGIN@@\$/,/^@@PINMGR-BENCH-$tag-END@@\$/{//!p}" "$file"
}

# Every interface of every measured cell, of the many-buffer run, of the
# scaling run, of the metadata leases, of the lease ends, of the netlink
# dump, of the monitor listener, of the floor, of watched and of exported
# leases, of PIN+UNPIN with cgroup budgets and with the tracepoints, of the
# census: a figure with its unit, or an error the bench recorded (pinmgr's
# own export must have its figure). Raw (gup_test) interfaces may be absent.
# A dump that did not return exactly the pinned leases, a listener that lost
# or gained events, a trace that did not take an event for every pin and
# unpin, or a census that did not see the processes added for it, is a
# problem even with figures: they would measure something else.
problems() {
	jq -r '
	def fig($f): .status == "ok" and ($f | type == "number");
	def recorded: .status == "error" and (.error | type == "string");
	(.interfaces | map(.id)) as $ids
	| (.interfaces | map(select(.raw) | .id)) as $raw
	| (if (.cells | map(select(.status == "ok")) | length) == 0
	   then "no cell was measured" else empty end),
	  (.cells[] | select(.status == "ok") | . as $c
	   | $ids[] | . as $id | ($c.results[$id] // {status: "missing"})
	   | select((fig(.median_ns) or recorded or
		    (.status == "absent" and any($raw[]; . == $id))) | not)
	   | "\($c.backing) \($c.size_bytes) bytes: \($id): \(.status)"),
	  (.many_buffers.results | to_entries[]
	   | select((.value | fig(.total.median_ns) or recorded) | not)
	   | "many buffers: \(.key): \(.value.status)"),
	  (.scaling | to_entries[]
	   | select((.value | fig(.ratio) or recorded) | not)
	   | "scaling: \(.key): \(.value.status)"),
	  (.metadata | to_entries[]
	   | select((.value | fig(.metadata_bytes) or recorded or
		     .status == "not-backed") | not)
	   | "metadata: \(.key): \(.value.status)"),
	  (.lease_ends // {status: "missing"}
	   | select((fig(.expiry_to_event_read.median_ns) and
		     (.mass_first_to_last_event_ns | type == "number")) or
		    recorded | not)
	   | "lease ends: \(.status)"),
	  (.netlink_dump // {status: "missing"}
	   | select((fig(.dump.median_ns) and .verified == true) or recorded | not)
	   | "netlink dump: \(.status)\(if .status == "ok" then
		", not verified: \(.verification)" else "" end)"),
	  (.pin_unpin_monitor // {status: "missing"}
	   | select((fig(.without_listener.median_ns) and
		     (.with_listener.median_ns | type == "number") and
		     (.with_listener_read_after.median_ns | type == "number") and
		     .listener.verified == true) or recorded | not)
	   | "PIN+UNPIN with a monitor listener: \(.status)\(if .status == "ok" then
		", events not verified: \(.listener)" else "" end)"),
	  (.syscall_floor // {status: "missing"}
	   | select((fig(.null_ioctl_pair.median_ns) and
		     (.getppid_pair.median_ns | type == "number") and
		     (.pinmgr_wl.median_ns | type == "number")) or recorded | not)
	   | "the floor of two system calls: \(.status)"),
	  (.watched_leases // {status: "missing"}
	   | select((fig(.cache_hit.median_ns) and
		     (.pin_unpin.median_ns | type == "number") and
		     (.pin_unpin_watch.median_ns | type == "number") and
		     (.munmap_watched.median_ns | type == "number") and
		     (.thp.status != "ok" or
		      (.thp.pin_unpin_watch.median_ns | type == "number")) and
		     (.stale_event | fig(.munmap_return_to_read.median_ns) or
		      recorded)) or recorded | not)
	   | "watched leases: \(.status)"),
	  (.exported_leases // {status: "missing"}
	   | if .status == "ok" then
		(.cells[] | select(.status == "ok")
		 | select((.pinmgr | fig(.median_ns)) and
			  (.udmabuf | fig(.median_ns) or recorded) | not)
		 | "exported leases: \(.backing) \(.size_bytes) bytes: pinmgr \(.pinmgr.status), udmabuf \(.udmabuf.status)")
	     elif recorded then empty
	     else "exported leases: \(.status)" end),
	  (.pin_unpin_budgets // {status: "missing"}
	   | select((fig(.without_budgets.median_ns) and
		     (.with_budgets.median_ns | type == "number") and
		     (.ratio_with_to_without | type == "number")) or recorded | not)
	   | "PIN+UNPIN with cgroup budgets: \(.status)"),
	  (.pin_unpin_trace // {status: "missing"}
	   | select((fig(.disabled.median_ns) and
		     (.enabled.median_ns | type == "number") and
		     (.ratio_enabled_to_disabled | type == "number") and
		     .trace.verified == true) or recorded | not)
	   | "PIN+UNPIN with the pinmgr tracepoints: \(.status)\(if .status == "ok" then
		", events not verified: \(.trace)" else "" end)"),
	  (.census // {status: "missing"}
	   | select((fig(.census.median_ns) and
		     (.baseline.median_ns | type == "number") and
		     .verified == true) or recorded | not)
	   | "census: \(.status)\(if .status == "ok" then
		", saw \(.processes_censused) processes, \(.processes_hidden) hidden, of \(.processes_added) added" else "" end)"),
	  (if (.many_buffers.results | length) == 0 then "no many-buffer figures" else empty end),
	  (if (.scaling | length) == 0 then "no scaling figures" else empty end)
	' "$1"
}

# One TSV per backing: a row per size, a column per interface that has a
# figure there (ns per 4 KiB page); "-" where a cell has none.
backing_tsv() {
	jq -r --arg b "$2" '
	[.cells[] | select(.backing == $b and .status == "ok")] as $cells
	| [.interfaces[] | select(.id as $id
		| any($cells[]; .results[$id].status == "ok"))] as $ifs
	| (["size"] + ($ifs | map(.label))),
	  ($cells[] | . as $c
	   | [.size_bytes] + ($ifs | map($c.results[.id]
		| if .status == "ok" then .ns_per_page else "-" end)))
	| @tsv' "$1"
}

plot() {
	local json=$1 png=$2 work b n panels=() title
	work=$(mktemp -d)
	trap 'rm -rf "$work"' RETURN
	for b in 4k thp hugetlb; do
		backing_tsv "$json" "$b" >"$work/$b.tsv"
		# header + at least one row
		[[ $(wc -l <"$work/$b.tsv") -ge 2 ]] && panels+=("$b")
	done
	[[ ${#panels[@]} -gt 0 ]] || die "no figures to plot in $json"
	title=$(jq -r '"pinmgr-bench on Linux \(.system.kernel_release), \(.system.date)"' "$json")
	{
		cat <<EOF
set terminal pngcairo size 1500,$((480 * ${#panels[@]})) noenhanced font ",10"
set output "$png"
set datafile separator "\t"
set datafile missing "-"
set logscale xy
set xrange [3000:1.6e9]
set xtics ("4K" 4096, "64K" 65536, "2M" 2097152, "64M" 67108864, "256M" 268435456, "1G" 1073741824)
set xlabel "range size (bytes)"
set ylabel "ns per 4 KiB page (median)"
set grid
set key outside right top
set multiplot layout ${#panels[@]},1 title "$title (TCG: compare lines, not absolute values)"
EOF
		for b in "${panels[@]}"; do
			n=$(head -n 1 "$work/$b.tsv" | awk -F'\t' '{ print NF }')
			echo "set title \"$b\""
			echo "plot for [c=2:$n] \"$work/$b.tsv\" using 1:c with linespoints title columnheader(c)"
		done
		echo "unset multiplot"
	} >"$work/plot.gp"
	gnuplot "$work/plot.gp"
}

case ${1:-} in
extract) [[ $# -eq 3 ]] || die "usage: extract table|json FILE"; extract "$2" "$3" ;;
problems) [[ $# -eq 2 ]] || die "usage: problems BENCH_JSON"; problems "$2" ;;
plot) [[ $# -eq 3 ]] || die "usage: plot BENCH_JSON PNG"; plot "$2" "$3" ;;
*) die "usage: bench-output.sh extract|problems|plot ..." ;;
esac
