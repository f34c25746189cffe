"""dovecot: the Dovecot fixture (tests/imap-client/dovecot-fixture.py) for
one test script, started and stopped the same way by every IMAP test.

    fx = dovecot.load_fixture()          # to change fx.USER_FIELDS first
    with dovecot.running(t, "mp-imap-", fx) as (fx, d, info):
        ... fx.connect(d, "alice"), info["imaps_port"] ...

running() skips the script (exit 77, t.skip) when it is not root, Dovecot
is not installed or the fixture cannot start; with need_plain=True also
when the plaintext listener on 127.0.0.2 (the one the proxies read) could
not be bound. The directory is made under /tmp (Dovecot's mail user must
traverse it: not under /root) and removed with the server at the end."""
import contextlib
import importlib.util
import io
import json
import os
import shutil
import tempfile

from mptest import TESTS

FIXTURE = os.path.join(TESTS, "imap-client", "dovecot-fixture.py")


def load_fixture():
    spec = importlib.util.spec_from_file_location("dovecot_fixture", FIXTURE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@contextlib.contextmanager
def running(t, prefix, fx=None, need_plain=False):
    """Yields (fx, d, info): the fixture module, its directory and what
    `start` printed (ports, CA file, users)."""
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        t.skip("needs root and dovecot (apt-get install dovecot-imapd)")
    fx = fx or load_fixture()
    d = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(d, 0o755)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = fx.start(d)
    if rc == 77:
        shutil.rmtree(d, ignore_errors=True)
        t.skip("the Dovecot fixture cannot start here")
    try:
        t.check(rc == 0, "dovecot started", out.getvalue())
        info = json.loads(out.getvalue().strip().splitlines()[-1])
        if need_plain and not (info.get("plain_host") and info.get("plain_port")):
            t.skip("127.0.0.2 cannot be bound (the plaintext listener the proxies read)")
        yield fx, d, info
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)
