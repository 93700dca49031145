"""Crash safety, proven by killing real processes (issue #9).

aidhub runs as a real process (a fork of this interpreter, and for some kill points a
fresh ``python -m tests.reliability.worker``) and is killed with SIGKILL at seeded random
points while it imports a packing list, receives a GRN, approves a plan or dispatches a
waybill, on SQLite and on PostgreSQL. After every kill: the ledger and the audit chain
verify, the command happened entirely or not at all, and retrying it with its idempotency
key gives exactly one effect. ``bench/reliability.py`` runs the same with more kill points.
How the harness works: tests/reliability/harness.py.
"""

import json
import shutil

import pytest

from tests.conftest import reset_postgres
from tests.reliability.harness import OPS, Campaign, Plan, kill_point

SEED = 20261130
KILLS_PER_OP = 25  # per backend: 4 operations x 25 = 100, so 200 on both backends
SPAWNED_PER_OP = 1  # of those, in a new interpreter (slow: about a second each)


def test_killed_commands_are_whole_or_undone_and_a_retry_does_them_once(db_url, request):
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    campaign = Campaign(db_url, backend, seed=SEED).setup()
    try:
        summary = campaign.run(KILLS_PER_OP, spawned_per_op=SPAWNED_PER_OP)
    finally:
        campaign.close()
        if backend == "postgresql":  # leave the shared database empty, as conftest does
            reset_postgres(request.getfixturevalue("pg_engine"))
    report = summary.as_json()
    print(json.dumps(report, indent=1))
    assert report["kill_points"] == len(OPS) * KILLS_PER_OP
    assert report["failed"] == 0, "\n".join(report["failures"])
    assert report["survived"] == report["kill_points"]
    for op in OPS:
        shown = report["by_operation"][op]
        assert shown["write_transactions_per_run"] == [1], op  # one command, one transaction
        assert shown["spawned_interpreters"] == SPAWNED_PER_OP
    # the kills aimed just after BEGIN and just after COMMIT landed there, and found the
    # effect absent and present
    aimed = [(o.op, o.at, o.landed, o.effect) for o in summary.outcomes if o.at != "S"]
    assert sorted(aimed) == sorted(
        [(op, "B", "inside", "absent") for op in OPS]
        + [(op, "C", "after", "present") for op in OPS])


@pytest.fixture
def sqlite_campaign(sqlite_template, tmp_path):
    path = tmp_path / "kill.sqlite3"
    shutil.copy(sqlite_template, path)
    campaign = Campaign(f"sqlite:///{path}", "sqlite", seed=SEED).setup()
    yield campaign
    campaign.close()


def test_the_checker_catches_a_command_written_in_two_transactions(sqlite_campaign):
    c = sqlite_campaign
    # killed while the broken command waits between its two commits
    outcome = kill_point(c.ctx, c.starter, c.target("split"), Plan(delay_s=0.2, at="C"))
    assert outcome.landed == "after" and outcome.effect == "present"
    assert any("partial effect" in f for f in outcome.failures), outcome.failures
    # the same checks pass a real command killed at the same point
    fine = kill_point(c.ctx, c.starter, c.target("receive"), Plan(delay_s=0.0, at="C",
                                                                 linger_ms=200))
    assert fine.ok and fine.landed == "after", fine.failures


def test_the_checker_catches_a_retry_that_does_the_command_again(sqlite_campaign):
    c = sqlite_campaign
    outcome = kill_point(c.ctx, c.starter, c.target("duplicate"), Plan(delay_s=None))
    assert outcome.landed == "exited" and outcome.effect == "present"
    assert any("movements changed by 2, not 1" in f for f in outcome.failures), \
        outcome.failures
    assert any("retry of a completed command did it again" in f for f in outcome.failures)

