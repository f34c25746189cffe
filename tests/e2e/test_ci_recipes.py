#!/usr/bin/env python3
"""docs/ci.md's GitLab and GitHub recipes work as written (issue 13, item 5).

Each recipe's YAML is read from docs/ci.md and its shell steps are run in
order, as root, in a scratch copy of an audited project (export/ holds an
mbox with a message of 101 attachments: the audit must fail with exit 1,
and the publishing steps still find their files). mailpreflight is taken
from a clean checkout: a local `git clone` of this repository (its committed
state) with a tag made in it. What needs the network or a CI service is
replaced, and each replacement is printed:
  - MAILPREFLIGHT_GIT -> the local clone; MAILPREFLIGHT_REF -> its tag;
  - "/tmp/" -> a scratch directory (no clash with anything else in /tmp);
  - actions/checkout -> a copy of the audited project; GitLab's artifact
    upload, actions/upload-artifact and the JUnit action -> checks that
    every file they name exists (and that an exposed GitLab artifact is one
    file, so that the merge request links to it);
  - GitHub's build step, when it is GitLab's word for word -> the build
    GitLab's recipe just made is reused (15 s of CPU saved).
apt-get runs for real (Debian's packages are reachable in CI). Skipped (77)
without root, apt-get, git or python3-yaml, and under the sanitizers (the
recipes build their own plain mailpreflight).
Args: MAILPREFLIGHT"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main, write_mbox, make_message, TIMEOUT_SCALE  # noqa: E402

TAG = "ci-recipe-test"


def bash(t, script, cwd, env, what):
    print("$ " + script.replace("\n", "\n$ "))
    p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    out = p.stdout.decode("utf-8", "replace")
    print(out[-3000:])
    return p.returncode, out


def make_project(path):
    """The audited repository: export/ with one mbox, a finding in it."""
    os.makedirs(os.path.join(path, "export"))
    write_mbox(os.path.join(path, "export", "archive.mbox"),
               [make_message("many", attachments=101, mid="many@x"), make_message("fine", mid="fine@x")])


def substituted(text, scratch):
    return text.replace("/tmp/", scratch + "/")


def gitlab(t, recipe, origin, scratch):
    project = os.path.join(scratch, "project")
    make_project(project)
    env = dict(os.environ)
    variables = recipe.get("variables", {})
    t.check("MAILPREFLIGHT_GIT" in variables and "MAILPREFLIGHT_REF" in variables,
            "GitLab: the recipe says where mailpreflight comes from (variables)", variables)
    env.update({k: str(v) for k, v in variables.items()})
    env.update({"MAILPREFLIGHT_GIT": origin, "MAILPREFLIGHT_REF": TAG, "CI_PROJECT_DIR": project})
    print("substituted: MAILPREFLIGHT_GIT=%s MAILPREFLIGHT_REF=%s, /tmp/ -> %s/" % (origin, TAG, scratch))
    jobs = {k: v for k, v in recipe.items() if isinstance(v, dict) and "script" in v}
    audit = next((j for j in jobs.values() if "before_script" in j), None)
    if not t.check(audit is not None, "GitLab: a job builds mailpreflight in before_script"):
        return None
    t.check("GIT_SUBMODULE_STRATEGY" not in str(recipe) and "submodule" not in str(recipe),
            "GitLab: no submodule")
    t.eq(audit.get("image"), "debian:12", "GitLab: the audit runs in debian:12")
    rc, _ = bash(t, "\n".join(substituted(c, scratch) for c in audit["before_script"]), project, env,
                 "GitLab before_script")
    t.eq(rc, 0, "GitLab: before_script (clone, install-deps, build) succeeds")
    rc, _ = bash(t, "\n".join(substituted(c, scratch) for c in audit["script"]), project, env, "GitLab script")
    t.eq(rc, 1, "GitLab: the audit fails (exit 1: a message of 101 attachments)")
    art = audit.get("artifacts", {})
    t.eq(art.get("when"), "always", "GitLab: artifacts are kept when the audit fails")
    for path in art.get("paths", []) + [art.get("reports", {}).get("junit", "")]:
        t.check(path and os.path.isfile(os.path.join(project, path)), "GitLab: artifact %s exists" % path)
    exposed = [j for j in jobs.values() if "expose_as" in j.get("artifacts", {})]
    t.eq(len(exposed), 1, "GitLab: one job exposes an artifact")
    for job in exposed:
        paths = job["artifacts"].get("paths", [])
        t.check(len(paths) == 1 and not paths[0].endswith("/") and paths[0].endswith(".html"),
                "GitLab: the exposed artifact is one file, the HTML report (a link to the file itself)", paths)
        t.eq(job.get("when"), "always", "GitLab: the report is exposed when the audit fails")
        t.check(job.get("stage") == ".post" and job.get("dependencies") == [k for k, v in jobs.items() if v is audit],
                "GitLab: it runs after the audit and takes its artifacts", job)
        rc, _ = bash(t, "\n".join(substituted(c, scratch) for c in job["script"]), project, env, "GitLab expose")
        t.eq(rc, 0, "GitLab: the exposing job's script succeeds")
        t.check(all(os.path.isfile(os.path.join(project, p)) for p in paths), "GitLab: the exposed file exists")
    return [substituted(c, scratch) for c in audit["before_script"]]


def github(t, recipe, origin, scratch, gitlab_build):
    workspace = os.path.join(scratch, "workspace")
    source = os.path.join(scratch, "checkout-source")
    make_project(source)
    job = next(iter(recipe["jobs"].values()))
    t.eq(job.get("container"), "debian:12", "GitHub: the job runs in debian:12")
    env = dict(os.environ)
    env.update({k: str(v) for k, v in job.get("env", {}).items()})
    t.check("MAILPREFLIGHT_GIT" in job.get("env", {}), "GitHub: the recipe says where mailpreflight comes from")
    env.update({"MAILPREFLIGHT_GIT": origin, "MAILPREFLIGHT_REF": TAG})
    print("substituted: MAILPREFLIGHT_GIT=%s MAILPREFLIGHT_REF=%s, /tmp/ -> %s/" % (origin, TAG, scratch))
    os.makedirs(workspace)
    failed = False
    results = {}
    for step in job["steps"]:
        name = step.get("name") or step.get("uses")
        if failed and "always()" not in str(step.get("if", "")):
            results[name] = "skipped"
            continue
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            print("substituted: %s -> a copy of the audited project" % uses)
            shutil.copytree(source, workspace, dirs_exist_ok=True)
            results[name] = 0
        elif uses.startswith("actions/upload-artifact@"):
            paths = [p for p in step["with"]["path"].split("\n") if p.strip()]
            print("substituted: %s -> the files exist: %s" % (uses, paths))
            t.check(all(os.path.isfile(os.path.join(workspace, p.strip())) for p in paths),
                    "GitHub: %s finds %s" % (name, paths))
            results[name] = 0
        elif uses.startswith("mikepenz/action-junit-report@"):
            path = step["with"]["report_paths"]
            print("substituted: %s -> the file exists: %s" % (uses, path))
            t.check(os.path.isfile(os.path.join(workspace, path)), "GitHub: %s finds %s" % (name, path))
            results[name] = 0
        elif uses:
            t.check(False, "GitHub: a step the test does not know: %s" % uses)
        else:
            lines = [substituted(l, scratch) for l in step["run"].strip().split("\n")]
            if gitlab_build and "git clone" in step["run"] and all(l in gitlab_build for l in lines):
                print("substituted: '%s' is GitLab's build word for word: its build is reused" % name)
                results[name] = 0
                continue
            rc, _ = bash(t, "\n".join(lines), workspace, env, name)
            results[name] = rc
            failed = failed or rc != 0
    print("GitHub steps: %r" % results)
    audit = [n for n in results if "Audit" in n]
    t.check(audit and results[audit[0]] == 1, "GitHub: the audit step fails (exit 1)", results)
    t.check(all(v == 0 for n, v in results.items() if n not in audit), "GitHub: every other step runs and succeeds",
            results)
    t.check("submodule" not in str(recipe), "GitHub: no submodule")


def body(t):
    if TIMEOUT_SCALE > 1:
        t.skip("the recipes build their own plain mailpreflight: run in the plain build")
    try:
        import yaml
    except ImportError:
        t.skip("python3-yaml is not installed (tools/install-deps installs it)")
    if os.geteuid() != 0 or shutil.which("apt-get") is None or shutil.which("git") is None:
        t.skip("needs root, apt-get and git, as the recipes' debian:12 containers have")
    with open(os.path.join(ROOT, "docs", "ci.md"), encoding="utf-8") as f:
        blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", f.read(), re.S)]
    lab = [b for b in blocks if isinstance(b, dict) and any(isinstance(v, dict) and "before_script" in v
                                                              for v in b.values())]
    hub = [b for b in blocks if isinstance(b, dict) and "jobs" in b]
    if not (t.check(len(lab) == 1, "docs/ci.md has one GitLab recipe") and
            t.check(len(hub) == 1, "docs/ci.md has one GitHub recipe")):
        return
    # the clean checkout: this repository as committed, with a tag to clone
    origin = t.path("origin")
    r = subprocess.run(["git", "clone", "--quiet", ROOT, origin], capture_output=True)
    if r.returncode != 0:
        t.skip("%s is no git repository to clone: %s" % (ROOT, r.stderr.decode()[-300:]))
    subprocess.run(["git", "-C", origin, "tag", TAG], check=True)
    scratch = t.path("tmp")
    os.makedirs(scratch)
    build = gitlab(t, lab[0], origin, scratch)
    github(t, hub[0], origin, scratch, build)


main("ci-recipes", body)
