"""Sanctions list versions and entries, parties, hits, holds, the controlled-goods list."""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from aidhub.domain.ids import new_id
from aidhub.domain.screening import HoldState, Party, PartyKind
from aidhub.store import capture
from aidhub.store.tables import (
    goods_list_versions,
    holds,
    list_entries,
    list_versions,
    parties,
    party_links,
    screening_hits,
)


def _party(r: Row) -> Party:
    return Party(r.id, PartyKind(r.kind), r.name, r.original_name, r.birth_date,
                 r.nationality, r.id_number, r.organisation_id, r.submitted_by)


class ScreeningRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # list versions -----------------------------------------------------------------------
    def add_version(self, values: dict[str, Any], entries: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(list_versions).values(**values))
        for start in range(0, len(entries), 2000):
            self.conn.execute(insert(list_entries), entries[start:start + 2000])

    def latest_versions(self) -> list[Row]:
        """The newest version of every list."""
        newest = (select(list_versions.c.list, func.max(list_versions.c.loaded_at)
                         .label("at")).group_by(list_versions.c.list).subquery())
        return list(self.conn.execute(
            select(list_versions).join(newest, and_(list_versions.c.list == newest.c.list,
                                                    list_versions.c.loaded_at == newest.c.at))
            .order_by(list_versions.c.list)))

    def versions(self, list_name: str | None = None) -> list[Row]:
        query = select(list_versions).order_by(list_versions.c.loaded_at.desc())
        if list_name:
            query = query.where(list_versions.c.list == list_name)
        return list(self.conn.execute(query))

    def entries(self, version_id: uuid.UUID) -> list[Row]:
        return list(self.conn.execute(
            select(list_entries).where(list_entries.c.version_id == version_id)))

    # parties -----------------------------------------------------------------------------
    def add_party(self, party: Party, at: dt.datetime) -> None:
        """Add the party; if another transaction has just added it (the same natural id:
        two waybills for one driver issued at once), keep that one."""
        dialect_insert = (postgresql.insert if self.conn.dialect.name == "postgresql"
                          else sqlite.insert)
        done = self.conn.execute(dialect_insert(parties).values(
            id=party.id, kind=party.kind.value, name=party.name,
            original_name=party.original_name, birth_date=party.birth_date,
            nationality=party.nationality, id_number=party.id_number,
            organisation_id=party.organisation_id, submitted_by=party.submitted_by,
            created_at=at).on_conflict_do_nothing())
        if done.rowcount == 0:  # replicate the row kept, not the one not written
            changes = self.conn.info.get(capture.INFO_KEY)
            if changes is not None:
                changes.forget("parties", [(party.id,)])

    def party(self, party_id: uuid.UUID) -> Party | None:
        r = self.conn.execute(select(parties).where(parties.c.id == party_id)).one_or_none()
        return _party(r) if r is not None else None

    def party_of_organisation(self, organisation_id: uuid.UUID) -> Party | None:
        r = self.conn.execute(select(parties).where(
            parties.c.organisation_id == organisation_id)).one_or_none()
        return _party(r) if r is not None else None

    def party_named(self, kind: PartyKind, name: str) -> Party | None:
        r = self.conn.execute(select(parties).where(
            parties.c.kind == kind.value, parties.c.name == name,
            parties.c.organisation_id.is_(None)).order_by(parties.c.created_at)).first()
        return _party(r) if r is not None else None

    def parties(self) -> list[Party]:
        return [_party(r) for r in self.conn.execute(select(parties).order_by(parties.c.name))]

    def link(self, party_id: uuid.UUID, consignment_id: uuid.UUID, role: str) -> None:
        exists = self.conn.execute(select(party_links).where(
            party_links.c.party_id == party_id, party_links.c.consignment_id == consignment_id,
            party_links.c.role == role)).first()
        if exists is None:
            self.conn.execute(insert(party_links).values(
                party_id=party_id, consignment_id=consignment_id, role=role))

    def consignments_of(self, party_id: uuid.UUID) -> list[uuid.UUID]:
        return list(self.conn.execute(select(party_links.c.consignment_id.distinct())
                                      .where(party_links.c.party_id == party_id)).scalars())

    def parties_of(self, consignment_id: uuid.UUID) -> list[tuple[Party, str]]:
        rows = self.conn.execute(
            select(parties, party_links.c.role)
            .join(party_links, party_links.c.party_id == parties.c.id)
            .where(party_links.c.consignment_id == consignment_id))
        return [(_party(r), r.role) for r in rows]

    # hits --------------------------------------------------------------------------------
    def add_hit(self, values: dict[str, Any]) -> uuid.UUID:
        hit_id = values.get("id") or new_id()
        self.conn.execute(insert(screening_hits).values(**{**values, "id": hit_id}))
        return hit_id

    def hits(self, *, state: str | None = None, party_id: uuid.UUID | None = None,
             line_ids: list[uuid.UUID] | None = None) -> list[Row]:
        query = select(screening_hits).order_by(screening_hits.c.created_at)
        if state:
            query = query.where(screening_hits.c.state == state)
        if party_id is not None:
            query = query.where(screening_hits.c.party_id == party_id)
        if line_ids is not None:
            query = query.where(screening_hits.c.consignment_line_id.in_(line_ids))
        return list(self.conn.execute(query))

    def hit(self, hit_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        query = select(screening_hits).where(screening_hits.c.id == hit_id)
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).one_or_none()

    def update_hit(self, hit_id: uuid.UUID, **values: Any) -> None:
        self.conn.execute(update(screening_hits).where(screening_hits.c.id == hit_id)
                          .values(**values))

    # holds -------------------------------------------------------------------------------
    def add_hold(self, subject: str, subject_id: uuid.UUID, reason: str,
                 hit_id: uuid.UUID | None, at: dt.datetime) -> None:
        self.conn.execute(insert(holds).values(
            id=new_id(), subject=subject, subject_id=subject_id, hit_id=hit_id, reason=reason,
            state=HoldState.ACTIVE.value, created_at=at))

    def active_holds(self, subject: str | None = None,
                     subject_ids: list[uuid.UUID] | None = None) -> list[Row]:
        query = select(holds).where(holds.c.state == HoldState.ACTIVE.value)
        if subject:
            query = query.where(holds.c.subject == subject)
        if subject_ids is not None:
            query = query.where(holds.c.subject_id.in_(subject_ids))
        return list(self.conn.execute(query.order_by(holds.c.created_at)))

    def release_holds_of_hit(self, hit_id: uuid.UUID, by: str, at: dt.datetime) -> int:
        result = self.conn.execute(
            update(holds).where(holds.c.hit_id == hit_id,
                                holds.c.state == HoldState.ACTIVE.value)
            .values(state=HoldState.RELEASED.value, released_at=at, released_by=by))
        return result.rowcount or 0

    # the controlled-goods list -----------------------------------------------------------
    def goods_list(self) -> Row | None:
        return self.conn.execute(select(goods_list_versions)
                                 .order_by(goods_list_versions.c.loaded_at.desc())).first()

    def add_goods_list(self, file_hash: str, content: str, by: str, at: dt.datetime) -> None:
        self.conn.execute(insert(goods_list_versions).values(
            id=new_id(), file_hash=file_hash, content=content, loaded_by=by, loaded_at=at))
