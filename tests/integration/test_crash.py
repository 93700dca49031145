"""A process killed while posting leaves consistent books, and the retry finishes the job."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from aidhub.services import stock, verify
from aidhub.services.context import Context
from tests.helpers import make_hub, receive

POSTER = textwrap.dedent("""
    import sys
    from aidhub.services.context import open_context
    from aidhub.services.movements import LineRequest, MovementRequest, post_movements

    ctx = open_context(sys.argv[1], actor="poster")
    requests = [MovementRequest("transfer", [LineRequest(
        "TARP", 1, "DAM-HUB/A-01" if n % 2 == 0 else "DAM-HUB/A-02",
        "DAM-HUB/A-02" if n % 2 == 0 else "DAM-HUB/A-01", "", None, "ECHO")], f"t-{n}")
        for n in range(3000)]
    for start in range(0, len(requests), 50):
        post_movements(ctx, requests[start:start + 50])
        print(start + 50, flush=True)
""")


def test_a_killed_poster_loses_nothing_and_its_retry_completes(ctx: Context, db_url):
    make_hub(ctx)
    receive(ctx, "TARP", 10, key="initial", batch=None, expiry=None)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", POSTER, db_url], env=env,
                            stdout=subprocess.PIPE, text=True)
    progress = 0
    deadline = time.monotonic() + 60
    while progress < 200 and time.monotonic() < deadline:  # let it get going, then kill it
        progress = int(proc.stdout.readline() or 0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert verify.verify_ledger(ctx).ok
    assert verify.verify_audit(ctx).ok
    # the retry replays what was written (same keys) and posts the rest
    retry = subprocess.run([sys.executable, "-c", POSTER, db_url], env=env,
                           capture_output=True, text=True, timeout=300)
    assert retry.returncode == 0, retry.stderr
    report = verify.verify_ledger(ctx)
    assert report.ok and report.movements == 1 + 3000
    assert verify.verify_audit(ctx).ok
    held = {r.location: r.quantity for r in stock.on_hand(ctx, site="DAM-HUB")}
    assert held == {"A-01": 10}  # 1,500 moves there and 1,500 back
