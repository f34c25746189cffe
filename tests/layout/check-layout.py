#!/usr/bin/env python3
"""check-layout.py — the architecture of docs/ARCHITECTURE.md, checked on a
built tree. Usage: check-layout.py SOURCE_ROOT BUILD_ROOT

The rooms and what each may use are the table ROOMS below (the same as the
ARCHITECTURE.md drawing). On the build it checks:

  1. include boundaries: every header an object of a room really included
     (ninja's dependency log, transitively, so a relative "../imap/x.h"
     cannot sneak past) lies in that room or a room it may use; the IMAP
     room is compiled without GMime's include path and includes no GMime
     header;
  2. no cycle between object files: an edge A -> B when an undefined symbol
     of A.o is defined in B.o (nm); the graph of the product's objects has
     no cycle, so no two files call each other, directly or around a loop;
  3. the rooms' library graph is the one in ROOMS (an edge not in the table
     fails; a room that uses less is fine);
  4. docs/ARCHITECTURE.md names every .c file of the product;
  5. the IMAP write commands (analyzer/imap/imap-write.c, and the client's
     mp_imap_client_allow_writes / _select / _command_literal) are called
     from fix/ only: a scan stays read-only by construction (issue 17).

Exit 0 when all hold, 1 otherwise (each violation printed).
"""
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

# room (a directory of the source tree) -> rooms it may use
ROOMS = {
    "analyzer/model": set(),
    "analyzer/mime": {"analyzer/model"},
    "analyzer/imap": {"analyzer/model"},
    "analyzer/accounts": {"analyzer", "analyzer/model", "analyzer/mime", "analyzer/imap"},
    "analyzer": {"analyzer/model", "analyzer/mime", "analyzer/imap"},
    "fix": {"analyzer/model", "analyzer/mime", "analyzer/imap", "analyzer", "rules", "reports", "config"},
    "rules": {"analyzer", "analyzer/model", "analyzer/mime", "analyzer/accounts"},
    "reports": {"rules", "analyzer", "analyzer/model", "analyzer/mime", "analyzer/accounts", "config"},
    # compare (issue 18): after the move, what arrived. It reads both sides
    # with the scan engine (analyzer), judges the source with the rules
    # (what they predicted, the [folder-map]) and writes its reports with the
    # reports room's primitives (atomic files, CSV cells, escaping, the HTML
    # assets); nothing below it knows of it, the CLI wires it.
    "compare": {"reports", "rules", "analyzer", "analyzer/model", "analyzer/mime",
                "analyzer/accounts", "config"},
    "cli": {"compare", "fix", "reports", "rules", "analyzer", "analyzer/model", "analyzer/mime",
            "analyzer/accounts", "config"},
    "config": set(),
}
NO_GMIME = {"analyzer/model", "analyzer/imap"}


def room_of(rel):
    """The room of a path relative to the source root, or None."""
    best = None
    for r in ROOMS:
        if rel == r or rel.startswith(r + "/"):
            if best is None or len(r) > len(best):
                best = r
    return best


def main():
    src = os.path.realpath(sys.argv[1])
    build = os.path.realpath(sys.argv[2])
    bad = []

    def rel(path, base):
        p = os.path.realpath(os.path.join(base, path))
        for root, tag in ((src, ""), (build, "")):
            if p.startswith(root + os.sep):
                return tag + os.path.relpath(p, root)
        return None

    commands = json.load(open(os.path.join(build, "compile_commands.json")))
    objects = {}  # object (relative to build) -> (room, source rel)
    for c in commands:
        s = rel(c["file"], c["directory"])
        if s is None or s.startswith("tests/") or s.startswith("subprojects/"):
            continue
        r = room_of(s)
        if r is None:
            # generated sources (rules-resources.c) belong to their directory
            r = room_of(os.path.dirname(s))
        if r is None:
            continue
        objects[c["output"]] = (r, s)
        if r in NO_GMIME and "gmime" in c["command"]:
            bad.append(f"{s}: compiled with GMime on its include path (room {r} must not see GMime)")

    # 1. real includes, from ninja's dependency log
    deps = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True).stdout
    current = None
    for line in deps.splitlines():
        if line and not line.startswith(" "):
            current = line.split(":")[0]
            continue
        if current not in objects:
            continue
        header = line.strip()
        r, s = objects[current]
        if "gmime" in header and r in NO_GMIME:
            bad.append(f"{s}: includes {header} (room {r} must not see GMime)")
        h = rel(header, build)
        if h is None or h.startswith("tests/"):
            continue
        hr = room_of(h) or room_of(os.path.dirname(h))
        if hr is None or hr == r:
            continue
        if hr not in ROOMS[r]:
            bad.append(f"{s}: includes {h} (room {r} may not use {hr})")

    # 2. and 3. the symbol graph
    defined = {}
    undefined = defaultdict(set)
    for obj in objects:
        out = subprocess.run(["nm", os.path.join(build, obj)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBRCWV":
                defined[parts[2]] = obj
            elif len(parts) == 2 and parts[0] == "U":
                undefined[obj].add(parts[1])
    edges = defaultdict(set)
    for obj, syms in undefined.items():
        for sym in syms:
            o = defined.get(sym)
            if o is not None and o != obj:
                edges[obj].add(o)
                ra, rb = objects[obj][0], objects[o][0]
                if ra != rb and rb not in ROOMS[ra]:
                    bad.append(f"{objects[obj][1]} uses {sym} of {objects[o][1]} (room {ra} may not use {rb})")
    # 5. the write side of IMAP is the fix's alone
    write_syms = ("mp_imap_write_", "mp_imap_client_allow_writes", "mp_imap_client_select",
                  "mp_imap_client_command_literal")
    for obj, syms in undefined.items():
        room, source = objects[obj]
        if room == "fix" or source.endswith("analyzer/imap/imap-write.c"):
            continue
        for sym in sorted(syms):
            if sym.startswith(write_syms):
                bad.append(f"{source} calls {sym}: only fix/ may send IMAP write commands")
    # Tarjan's strongly connected components: any with two or more files is a cycle
    index, low, stack, on, sccs = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(objects):
        if v not in index:
            strong(v)
    for comp in sccs:
        bad.append("files call each other (a cycle): " + ", ".join(sorted(objects[o][1] for o in comp)))

    # 4. ARCHITECTURE.md names every product .c file
    arch = open(os.path.join(src, "docs", "ARCHITECTURE.md"), encoding="utf-8").read()
    for obj, (r, s) in sorted(objects.items(), key=lambda x: x[1][1]):
        if s.endswith(".c") and not s.startswith("config") and os.path.exists(os.path.join(src, s)):
            if not re.search(r"(?<![\w-])" + re.escape(os.path.basename(s)) + r"(?![\w-])", arch):
                bad.append(f"docs/ARCHITECTURE.md does not name {s}")

    n_edges = sum(len(v) for v in edges.values())
    print(f"{len(objects)} objects in {len({r for r, _ in objects.values()})} rooms, {n_edges} edges between files")
    for b in sorted(set(bad)):
        print("LAYOUT:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
