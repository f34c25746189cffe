#!/usr/bin/env python3
"""docs/check-man.py BINARY MANPAGE — the man page and --help agree on options.

Fails (exit 1) when a long option that `BINARY scan --help`, `BINARY fix split
--help` or `BINARY fix detach --help` prints is not described in the man
page's OPTIONS section, or when the OPTIONS section describes a long option
that no --help prints (a stale entry); the same for `BINARY compare --help`
and the COMPARE section. Run by meson test (suite 'docs').
"""
import re
import subprocess
import sys

LONG_OPT = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")


def help_options(binary, args):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    if p.returncode != 0:
        sys.exit(f"check-man: '{binary} {' '.join(args)}' exited {p.returncode}: {p.stderr.strip()}")
    opts = set()
    for line in p.stdout.splitlines():
        # option lines: "  -r, --rules=NAME|FILE   ..." or "  --csv=FILE   ..." or "  --version  ..."
        m = re.match(r"\s+(?:-\w,\s+)?--([a-z][a-z0-9-]*)", line)
        if m:
            opts.add(m.group(1))
    return opts


def roff_text(text):
    text = re.sub(r"\\f(?:\[[^]]*\]|\(..|.)", "", text)      # font changes
    text = text.replace("\\-", "-").replace("\\~", " ").replace("\\ ", " ")
    text = re.sub(r"\\[&|^]", "", text)
    return text


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    binary, manpage = argv[1], argv[2]
    scan_opts = help_options(binary, ["scan", "--help"])
    main_opts = help_options(binary, ["--help"])
    fix_opts = help_options(binary, ["fix", "split", "--help"]) | help_options(binary, ["fix", "detach", "--help"])
    if not scan_opts:
        sys.exit("check-man: found no long option in 'scan --help' output")
    with open(manpage, encoding="utf-8") as f:
        man = f.read()
    m = re.search(r"^\.SH\s+\"?OPTIONS\"?\s*$(.*?)(?=^\.SH\s)", man, re.M | re.S)
    if not m:
        sys.exit(f"check-man: {manpage} has no OPTIONS section")
    section = roff_text(m.group(1))
    documented = set(LONG_OPT.findall(section))
    errors = []
    for o in sorted(scan_opts - documented):
        errors.append(f"--{o} is printed by 'mailpreflight scan --help' but not described in OPTIONS")
    for o in sorted(fix_opts - documented):
        errors.append(f"--{o} is printed by 'mailpreflight fix split|detach --help' but not described in OPTIONS")
    for o in sorted(documented - scan_opts - main_opts - fix_opts):
        errors.append(f"--{o} is described in OPTIONS but no --help prints it (stale?)")
    # compare's options live in their own section, COMPARE
    compare_opts = help_options(binary, ["compare", "--help"])
    m = re.search(r"^\.SH\s+\"?COMPARE\"?\s*$(.*?)(?=^\.SH\s)", man, re.M | re.S)
    if not m:
        errors.append("no COMPARE section")
    else:
        in_compare = set(LONG_OPT.findall(roff_text(m.group(1))))
        for o in sorted(compare_opts - in_compare - main_opts):
            errors.append(f"--{o} is printed by 'mailpreflight compare --help' but not described in COMPARE")
        for o in sorted(in_compare - compare_opts - main_opts):
            errors.append(f"--{o} is described in COMPARE but 'compare --help' does not print it (stale?)")
    if errors:
        print("\n".join(f"check-man: {manpage}: {e}" for e in errors), file=sys.stderr)
        return 1
    print(f"check-man: OK: {len(scan_opts)} scan, {len(fix_opts)} fix and {len(compare_opts)} compare options, "
          f"all in {manpage}: " + " ".join("--" + o for o in sorted(scan_opts | fix_opts | compare_opts)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
