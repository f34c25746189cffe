"""Beyond one machine (issue 15): 4 shards run through GNU parallel and
merged with `report merge` give exactly the report of one run.

What is compared: the merged JSON equals the single run's JSON in every key
but "runs" (a merge keeps each shard's run: four command lines and scan
times instead of one; the as-of time and the rules digest in them are
equal), and the findings, inventory and accounts CSVs are byte-identical.
Nothing else is masked. Merging runs judged by different rules, or as of
different times, is refused with a clear error."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, make_message, write_maildir  # noqa: E402

AS_OF = "2025-07-15"
DAY = 86400


def rfc(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def make_tree(root, n):
    """N homes: some active, some idle, one with a message over the size
    limit, one unreadable Maildir++ folder name; ages spread over 2 years."""
    as_of = int(time.mktime(time.strptime(AS_OF, "%Y-%m-%d")) - time.timezone)
    for i in range(n):
        md = os.path.join(root, "user%02d" % i, "Maildir")
        age = (i * 61) % 730
        msgs = [make_message("hello %d" % i, date=rfc(as_of - age * DAY), mid="u%d-1@t" % i),
                make_message("second", date=rfc(as_of - (age + 3) * DAY), mid="u%d-2@t" % i,
                             attachments=101 if i == 5 else 0)]
        paths = write_maildir(md, msgs, names=["%d.M%dP1.t:2,%s" % (1600000000 + k, k, "S" if i % 3 else "")
                                               for k in range(len(msgs))])
        for k, p in enumerate(paths):
            os.utime(p, (as_of - (age + k) * DAY, as_of - (age + k) * DAY))
        if i % 4 == 1:
            write_maildir(os.path.join(md, ".Sent"), [make_message("out", date=rfc(as_of - (age // 2) * DAY),
                                                                   mid="s%d@t" % i)])


def body(t):
    if shutil.which("parallel") is None:
        t.skip("GNU parallel is not installed (Debian package parallel; tools/install-deps)")
    tree = t.path("home")
    make_tree(tree, 12)
    m = t.binary
    common = ["--as-of", AS_OF, "-q", "--fail-on", "never"]
    t.run("scan", *common, "--json", "single.json", "--csv", "single-f.csv", "--inventory", "single-i.csv",
          "--accounts-csv", "single-a.csv", tree, expect=0, what="one run")

    # GNU parallel runs the four shards; each writes its JSON
    p = subprocess.run(["parallel", "--halt", "now,fail=1", "-j4", m, "scan", *common, "--shard", "{}/4",
                        "--json", "shard-{}.json", tree, ":::", "1", "2", "3", "4"],
                       cwd=t.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.check(p.returncode == 0, "parallel: the four shards ran", p.stderr.decode("utf-8", "replace")[-2000:])
    shards = [json.load(open(t.path("shard-%d.json" % k))) for k in range(1, 5)]
    names = [[a["account"] for a in s["accounts"]] for s in shards]
    flat = sorted(n for ns in names for n in ns)
    t.eq(flat, ["user%02d" % i for i in range(12)], "shards: every account in exactly one shard")
    t.check(sum(1 for ns in names if ns) >= 3, "shards: the hash spreads the accounts", names)

    t.run("report", "merge", *["shard-%d.json" % k for k in (3, 1, 4, 2)], "-q", "--json", "merged.json",
          "--csv", "merged-f.csv", "--inventory", "merged-i.csv", "--accounts-csv", "merged-a.csv",
          expect=0, what="merge the shards (given in any order)")
    single = json.load(open(t.path("single.json")))
    merged = json.load(open(t.path("merged.json")))
    t.eq(len(merged["runs"]), 4, "merge: every shard's run is kept")
    t.eq({r["as_of"] for r in merged["runs"]}, {single["runs"][0]["as_of"]}, "merge: one as-of time")
    t.eq({r["rules_digest"] for r in merged["runs"]}, {single["runs"][0]["rules_digest"]}, "merge: one rules digest")
    for doc in (single, merged):
        del doc["runs"]
    t.check(merged == single, "merge: the merged JSON equals one run's (runs masked)",
            json.dumps([a["account"] for a in merged["accounts"]]))
    for kind in ("f", "i", "a"):
        t.eq(open(t.path("merged-%s.csv" % kind), "rb").read(), open(t.path("single-%s.csv" % kind), "rb").read(),
             "merge: the %s CSV is byte-identical" % {"f": "findings", "i": "inventory", "a": "accounts"}[kind])

    # refusals: other rules, another as-of time
    t.run("scan", "--as-of", AS_OF, "-q", "--rules", "generic", "--shard", "1/4", "--json", "other-rules.json",
          tree, expect=None)
    p = t.run("report", "merge", "shard-2.json", "other-rules.json", "--json", "x.json", expect=2)
    t.check("different rules" in p.err and "shard-2.json" in p.err and "other-rules.json" in p.err,
            "merge refuses runs judged by different rules, naming the files", p.err)
    t.check(not os.path.exists(t.path("x.json")), "merge: nothing written when refused")
    t.run("scan", "--as-of", "2025-08-01", "-q", "--fail-on", "never", "--shard", "1/4", "--json", "other-date.json",
          tree, expect=0)
    p = t.run("report", "merge", "shard-2.json", "other-date.json", "--json", "x.json", expect=2)
    t.check("as of" in p.err and "--as-of" in p.err, "merge refuses runs judged as of different times", p.err)

    # --shard auto: Kubernetes Indexed Jobs and Slurm arrays
    for env, k in (({"JOB_COMPLETION_INDEX": "2", "MAILPREFLIGHT_SHARD_COUNT": "4"}, 3),
                   ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, 2)):
        t.run("scan", *common, "--shard", "auto", "--json", "auto.json", tree, env=env, expect=0)
        t.eq([a["account"] for a in json.load(open(t.path("auto.json")))["accounts"]], names[k - 1],
             "--shard auto with %s is shard %d/4" % (sorted(env)[0], k))
    p = t.run("scan", "--shard", "auto", tree, env={"JOB_COMPLETION_INDEX": "1", "MAILPREFLIGHT_SHARD_COUNT": None,
                                                    "SLURM_ARRAY_TASK_ID": None}, expect=2)
    t.check("MAILPREFLIGHT_SHARD_COUNT" in p.err, "--shard auto without the count says what to set", p.err)
    t.run("scan", "--shard", "5/4", tree, expect=2)


main("shards", body, run_in_dir=True)
