"""Hostile files given to the CLI (issue #9): each is refused with exit status 1 and a
message, never a traceback, and nothing is written."""

import json

import pytest

from tests.hostile.test_bombs import EXTERNAL, LAUGHS, _with_sheet
from tests.integration.test_cli import aidhub, hub  # noqa: F401

IMPORT = ("consignments", "import")
HEADER = ("--hub", "DAM-HUB", "--consignor", "WFP", "--consignee", "WFP", "--yes")


def _refused(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _nothing_registered(hub) -> None:  # noqa: F811
    assert json.loads(hub("consignments", "list", "--json").output) == []


def test_a_zip_bomb_packing_list_is_refused_by_the_cli(hub, tmp_path):  # noqa: F811
    path = tmp_path / "packing.xlsx"
    path.write_bytes(_with_sheet(300))
    _refused(hub(*IMPORT, str(path), *HEADER, ok=False), "refused for safety")
    _nothing_registered(hub)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00\x00garbage", b"=cmd|' /C calc'!A0\n",
                                     b"Item code,Qty,UOM\nRICE,-5,bag\n",
                                     b"Item code,Qty,UOM\nRICE,1e999999999,bag\n"])
def test_a_hostile_packing_list_is_refused_by_the_cli(hub, tmp_path, content):  # noqa: F811
    path = tmp_path / "packing.csv"
    path.write_bytes(content)
    result = hub(*IMPORT, str(path), *HEADER, ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    _nothing_registered(hub)


def test_a_path_that_climbs_to_a_system_file_is_just_a_file_that_is_not_a_list(hub):  # noqa: F811
    # the CLI reads what its user may read anyway: a path is the operator's choice, and
    # a system file is refused like any file that is not a packing list
    result = hub(*IMPORT, "../../../../../../etc/passwd", *HEADER, ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "no column" in result.output or "not" in result.output
    _nothing_registered(hub)


@pytest.mark.parametrize("attack", [LAUGHS, EXTERNAL])
def test_an_xml_bomb_list_is_refused_by_the_cli(hub, tmp_path, attack):  # noqa: F811
    path = tmp_path / "un.xml"
    path.write_bytes(attack.replace(b"ROOT", b"CONSOLIDATED_LIST"))
    _refused(hub("lists", "load", str(path), ok=False), "refused for safety")
    assert "root:" not in hub("lists", "versions", ok=False).output


def test_a_problem_file_nested_too_deeply_is_refused_by_the_cli(hub, tmp_path):  # noqa: F811
    path = tmp_path / "problem.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    _refused(hub("plan", "solve", str(path), ok=False), "too deeply")
