#!/usr/bin/env python3
"""Runs one command and says what it cost: its wall time, its own CPU time
(user + system, with its threads and children) and the CPU time a server
spent meanwhile (the process tree under SERVER_PID: Dovecot's master, whose
reaped children's times the kernel adds to its own).

  cpu-run.py SERVER_PID -- COMMAND [ARG...]

Prints "WALL CLIENT_CPU SERVER_CPU" in seconds on one line, after the
command's own output (which goes to /dev/null).

Why: on a loopback server the client and the server share the machine's
cores, so the server's CPU for the same FETCH bounds how fast any client
can be (bench/imap-bench.sh prints that floor next to the goal).  The
server's time is read after a short pause, so that the processes that
served the connection (Dovecot's imap and imap-login end with it) have
been reaped and counted."""
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        data = f.read()
    # the command name is in parentheses and may hold spaces
    return data[data.rindex(b")") + 2:].split()


def tree_cpu(root):
    """CPU seconds of ROOT, its live descendants and all reaped ones."""
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parent[int(name)] = int(stat_fields(int(name))[1])
            except (OSError, ValueError, IndexError):
                pass
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        try:
            f = stat_fields(pid)
        except OSError:
            continue
        # utime stime cutime cstime: fields 14-17 of proc(5), 12-15 here
        total += sum(int(x) for x in f[11:15])
        todo.extend(p for p, pp in parent.items() if pp == pid)
    return total / TICK


def main():
    server = int(sys.argv[1])
    if sys.argv[2] != "--":
        raise SystemExit("usage: cpu-run.py SERVER_PID -- COMMAND [ARG...]")
    cmd = sys.argv[3:]
    s0 = tree_cpu(server)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    time.sleep(0.3)
    s1 = tree_cpu(server)
    client = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print("%.4f %.4f %.4f" % (t1 - t0, client, s1 - s0))


if __name__ == "__main__":
    main()
