"""The audit chain in the database: the local node's head, appending, reading in order."""

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from aidhub.domain.audit import AuditRecord, make_record
from aidhub.store.tables import audit_records, nodes


@dataclass
class NodeCounters:
    """The local node's counters, read under lock for the rest of the transaction."""

    id: uuid.UUID
    movement_seq: int
    audit_seq: int
    audit_head: str


_LOCK_NODE = select(nodes).where(nodes.c.is_local).with_for_update()
_INSERT = insert(audit_records)
_UPDATE_NODE = (
    update(nodes)
    .where(nodes.c.id == bindparam("node"))
    .values(movement_seq=bindparam("m_seq"), audit_seq=bindparam("a_seq"),
            audit_head=bindparam("head"))
)


class AuditRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self._node: NodeCounters | None = None
        self._pending: list[dict[str, Any]] = []

    def local_node_id(self) -> uuid.UUID:
        return self.conn.execute(select(nodes.c.id).where(nodes.c.is_local)).scalar_one()

    def lock_node(self) -> NodeCounters:
        """Lock the local node's counters (FOR UPDATE on PostgreSQL; SQLite's write lock is
        already held). Every writer takes this lock last, after any stock rows."""
        if self._node is None:
            row = self.conn.execute(_LOCK_NODE).one()
            self._node = NodeCounters(row.id, row.movement_seq, row.audit_seq, row.audit_head)
        return self._node

    def append(self, at: dt.datetime, actor: str, action: str, subject: str,
               payload: Any) -> AuditRecord:
        node = self.lock_node()
        record = make_record(node.audit_seq, node.audit_head, at, actor, action, subject,
                             payload)
        node.audit_seq, node.audit_head = record.seq, record.hash
        self._pending.append(
            {"node_id": node.id, "seq": record.seq, "at": record.at, "actor": record.actor,
             "action": record.action, "subject": record.subject, "payload": record.payload,
             "prev_hash": record.prev_hash, "hash": record.hash}
        )
        return record

    def flush(self) -> None:
        """Write the appended records and the node's counters."""
        if self._node is None:
            return
        if self._pending:
            self.conn.execute(_INSERT, self._pending)
            self._pending = []
        node = self._node
        self.conn.execute(_UPDATE_NODE, {"node": node.id, "m_seq": node.movement_seq,
                                         "a_seq": node.audit_seq, "head": node.audit_head})

    def head(self) -> tuple[int, str]:
        row = self.conn.execute(
            select(nodes.c.audit_seq, nodes.c.audit_head).where(nodes.c.is_local)
        ).one()
        return row.audit_seq, row.audit_head

    def chains(self) -> list[uuid.UUID]:
        """The nodes whose audit chains this database holds: the local node first, then
        (on the central server) each site node's, as its batches brought them."""
        local = self.local_node_id()
        others = self.conn.execute(select(audit_records.c.node_id).distinct()).scalars()
        return [local, *sorted(n for n in others if n != local)]

    def node_name(self, node_id: uuid.UUID) -> str:
        return self.conn.execute(select(nodes.c.name).where(nodes.c.id == node_id)).scalar() \
            or str(node_id)

    def records(self, node_id: uuid.UUID | None = None) -> Iterator[AuditRecord]:
        node_id = node_id or self.local_node_id()
        rows = self.conn.execute(
            select(audit_records)
            .where(audit_records.c.node_id == node_id)
            .order_by(audit_records.c.seq)
            .execution_options(yield_per=5000)
        )
        for r in rows:
            yield AuditRecord(r.seq, r.at, r.actor, r.action, r.subject, r.payload,
                              r.prev_hash, r.hash)

    def recent(self, limit: int = 50) -> list[AuditRecord]:
        rows = self.conn.execute(
            select(audit_records).order_by(audit_records.c.seq.desc()).limit(limit)
        )
        return [AuditRecord(r.seq, r.at, r.actor, r.action, r.subject, r.payload,
                            r.prev_hash, r.hash) for r in rows]
