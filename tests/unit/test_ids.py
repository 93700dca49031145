from aidhub.domain.ids import id_time_ms, new_id


def test_ids_are_version_7_and_strictly_increasing():
    ids = [new_id() for _ in range(20000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert id_time_ms(ids[-1]) >= id_time_ms(ids[0])
