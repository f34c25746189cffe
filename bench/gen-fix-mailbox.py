#!/usr/bin/env python3
"""gen-fix-mailbox.py SIZE DIR — a mailbox of about SIZE (e.g. 1G) where 10%
of the messages must be split under the default profile (over 100
attachments or over 17.5 MB), as DIR/maildir and DIR/mbox (the same
messages), for bench/fix-bench.sh. Deterministic (seeded); attachments are
made from a repeated pattern (tests/fix/fixgen.py), so 1 GB takes seconds.

  90% ordinary: text and 0-4 attachments of 20-200 KB
  10% to split: 101-180 attachments of 1-4 KB; one in 25 of them instead
                20-40 MB of 2 MB attachments

Also: gen-fix-mailbox.py --one MB FILE   one mbox holding a single message
of MB megabytes of 2 MB attachments (peak memory against message size).
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fix"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pylib"))
import fixgen  # noqa: E402
from mptest import mbox_entry  # noqa: E402


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def message(rng, i):
    """(bytes, must_split)"""
    if i % 10 == 9:
        if (i // 10) % 25 == 24:
            mb = rng.choice((20, 26, 30, 40))
            return fixgen.big_ones(mb, 2, mid="big-%d" % i), True
        n = rng.randint(101, 180)
        return fixgen.mixed("%d attachments" % n, "many-%d" % i,
                            [fixgen.attachment("f%03d.dat" % k, fixgen.pattern(rng.randint(1000, 4000), i * 1000 + k))
                             for k in range(n)]), True
    atts = [fixgen.attachment("doc-%d.pdf" % k, fixgen.pattern(rng.randint(20000, 200000), i * 10 + k),
                              "application/pdf") for k in range(rng.randint(0, 4))]
    if not atts:
        return fixgen.plain(i), False
    return fixgen.mixed("ordinary %d" % i, "ord-%d" % i, atts), False


def main(argv):
    if len(argv) == 4 and argv[1] == "--one":
        with open(argv[3], "wb") as f:
            f.write(mbox_entry(fixgen.big_ones(int(argv[2]), 2, mid="one")))
        return 0
    if len(argv) != 3:
        sys.exit(__doc__)
    want = parse_size(argv[1])
    out = argv[2]
    rng = random.Random(16)
    md = os.path.join(out, "maildir")
    for s in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, s), exist_ok=True)
    total = n = split = 0
    with open(os.path.join(out, "mbox"), "wb") as mbox:
        while total < want:
            data, must = message(rng, n)
            mbox.write(mbox_entry(data))
            name = "%d.M%dP1.bench:2,S" % (1546300800 + n, n)
            with open(os.path.join(md, "cur", name), "wb") as f:
                f.write(data)
            total += len(data)
            split += must
            n += 1
    print("%d messages, %d to split, %.1f MB" % (n, split, total / 1048576))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
