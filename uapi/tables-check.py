#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check that the netlink spec and the tables of pinmgr_tables.h agree.

Every lease field of PINMGR_LEASE_FIELDS() is an attribute of the "pinmgr"
set, in the same order and of the same type, and every attribute of that
set that carries a value is a lease field (the request-only ones excepted);
every figure of PINMGR_STATS() is a u64 of the "stats" set, in order, and
nothing else is. Run by tests/static-checks.sh; exits 1 with the first
difference.

usage: tables-check.py [CC]    (CC runs the preprocessor, default "cc")
"""
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
# Attributes of the "pinmgr" set that are not lease fields: a request's
# flag, the nests of the statistics and of a budget, padding, and a user's
# locked_vm (user-get).
NOT_FIELDS = {"now", "stats", "budget", "pad", "locked-vm-pages"}
TYPES = {"U64": "u64", "U32": "u32", "STR": "string"}

PROBE = """#include "pinmgr_tables.h"
#define LEASE(name, attr, type, kind, query) @lease attr type
#define STAT(name, attr, src, ...) @stat attr u64
PINMGR_LEASE_FIELDS(LEASE)
PINMGR_STATS(STAT)
"""


def tables(cc):
    out = subprocess.run([cc, "-E", "-P", "-I", HERE, "-x", "c", "-"],
                         input=PROBE, capture_output=True, text=True,
                         check=True).stdout
    rows = {"lease": [], "stat": []}
    for item in out.split("@")[1:]:
        kind, attr, ctype = item.split()[:3]
        rows[kind].append((attr.lower().replace("_", "-"),
                           TYPES.get(ctype, ctype)))
    return rows


def spec_set(spec, name):
    for s in spec["attribute-sets"]:
        if s["name"] == name:
            return [(a["name"], a["type"]) for a in s["attributes"]]
    sys.exit(f"tables-check: the spec has no attribute set {name}")


def compare(what, table, spec):
    if table == spec:
        return
    for i, (t, s) in enumerate(zip(table + [None] * len(spec),
                                   spec + [None] * len(table))):
        if t != s:
            sys.exit(f"tables-check: {what} #{i}: pinmgr_tables.h has "
                     f"{t}, pinmgr.yaml has {s}")


def main():
    cc = sys.argv[1] if len(sys.argv) > 1 else "cc"
    rows = tables(cc)
    with open(os.path.join(HERE, "pinmgr.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    lease = [a for a in spec_set(spec, "pinmgr") if a[0] not in NOT_FIELDS]
    stats = [a for a in spec_set(spec, "stats") if a[0] != "pad"]
    compare("lease field", rows["lease"], lease)
    compare("figure", rows["stat"], stats)
    print(f"tables-check: {len(lease)} lease fields and {len(stats)} "
          "figures agree with the spec")


if __name__ == "__main__":
    main()
