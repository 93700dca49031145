"""Hostile planner problem files (issue #9): hypothesis takes a good problem and puts
hostile values anywhere in it (huge and negative numbers, NaN, wrong types, deep nesting,
odd text), or writes bytes that are not JSON at all. ``load_problem`` builds a checked
Problem or refuses the file with InvalidInput naming where; nothing else is raised."""

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aidhub.domain.errors import InvalidInput
from aidhub.planning import load_problem
from aidhub.planning.problem import Problem
from tests.unit.planning.test_validate import good

hostile = st.one_of(
    st.none(), st.booleans(), st.integers(-2**80, 2**80), st.floats(allow_nan=True),
    st.sampled_from([1e308, -1e308, 2**63, -1, 0, "", "0", "1e999", "NaN", "\u202e",
                     "9999-99-99", "2026-02-30", [], {}, [[[[[]]]]], {"$ref": "#"},
                     "A" * 10_000]),
    st.text(max_size=20))


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


GOOD = good()
PATHS = [p for p in _paths(GOOD) if p]


@st.composite
def mutated(draw) -> bytes:
    data = copy.deepcopy(GOOD)
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3)):
        try:
            target = data
            for step in path[:-1]:
                target = target[step]
            if draw(st.integers(0, 5)) == 0 and isinstance(target, dict):
                del target[path[-1]]
            else:
                target[path[-1]] = draw(hostile)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    text = json.dumps(data, allow_nan=True)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


files = st.one_of(mutated(), st.binary(max_size=300),
                  st.sampled_from([b"[" * 100_000, b'{"a":' * 50_000, b"1e999999999",
                                   b'"\\ud800"', b"\xef\xbb\xbf{}"]))


def test_a_hostile_problem_file_is_read_or_refused_with_a_message():
    seen = {"read": 0, "refused": 0}

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(data=files)
    def check(data):
        try:
            problem = load_problem(data)
        except InvalidInput as exc:
            assert str(exc).strip()
            seen["refused"] += 1
        else:
            assert isinstance(problem, Problem)
            seen["read"] += 1

    check()
    assert seen["read"] and seen["refused"], seen
