import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.audit import GENESIS_HASH, AuditRecord, make_record, verify_chain

AT = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def chain(payloads) -> list[AuditRecord]:
    records, seq, head = [], 0, GENESIS_HASH
    for p in payloads:
        rec = make_record(seq, head, AT, "tester", "thing.done", "X", p)
        records.append(rec)
        seq, head = rec.seq, rec.hash
    return records


payloads = st.lists(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=8),
                                    max_size=3), min_size=1, max_size=20)


@given(payloads)
def test_an_untouched_chain_verifies(ps):
    records = chain(ps)
    assert verify_chain(records) == (len(records), None)


@given(payloads, st.data())
def test_any_edit_is_found_at_the_edited_record(ps, data):
    records = chain(ps)
    n = data.draw(st.integers(0, len(records) - 1))
    edited = dataclasses.replace(records[n], actor="someone-else")
    checked, broken = verify_chain([*records[:n], edited, *records[n + 1:]])
    assert broken is not None and broken.seq == n + 1 and checked == n


def test_a_removed_record_is_reported():
    records = chain([{"a": 1}, {"a": 2}, {"a": 3}])
    _, broken = verify_chain([records[0], records[2]])
    assert broken.seq == 2 and "missing" in broken.reason


def test_hashes_do_not_depend_on_key_order():
    a = make_record(0, GENESIS_HASH, AT, "t", "x", "s", {"b": 1, "a": 2})
    b = make_record(0, GENESIS_HASH, AT, "t", "x", "s", {"a": 2, "b": 1})
    assert a.hash == b.hash
