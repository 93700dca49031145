"""site nodes and sync

Revision ID: 0009
Revises: 0008
Adds what site nodes need to work offline and sync with the central server: the outbox
of changes each write leaves (sync_outbox, numbered by nodes.outbox_seq), the peers a
node syncs with and their cursors (sync_peers), the chain of batches received
(sync_batches) and the business conflicts found (sync_conflicts).

Drops the database check that a physical balance is never negative. The ledger's own
check (under lock, in aidhub.services.posting) still refuses any command that would take
more than is there; but two sites that worked apart can together have dispatched more
than there was, and that fact must be recorded, not refused: it becomes a conflict for a
hub manager (see docs/sync.md), and `ledger verify` reports any negative balance that has
no open conflict.

Create Date: 2026-11-30 21:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_outbox',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('origin_id', sa.Uuid(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('op', sa.String(length=1), nullable=False),
    sa.Column('pk', sa.Text(), nullable=False),
    sa.Column('row', sa.Text(), nullable=True),
    sa.Column('sites', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_sync_outbox'))
    )
    op.create_table('sync_conflicts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('node_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolution', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_sync_conflicts_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflicts'))
    )
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_sync_conflicts_state', ['state'], unique=False)

    op.create_table('sync_peers',
    sa.Column('node_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('url', sa.String(length=300), server_default='', nullable=False),
    sa.Column('token', sa.String(length=200), server_default='', nullable=False),
    sa.Column('key_hash', sa.String(length=64), server_default='', nullable=False),
    sa.Column('pushed_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('pushed_batches', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('pushed_hash', sa.String(length=64), server_default='', nullable=False),
    sa.Column('inflight_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('pulled_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('snapshot', sa.Text(), server_default='', nullable=False),
    sa.Column('list_version', sa.String(length=100), server_default='', nullable=False),
    sa.Column('last_contact', sa.DateTime(), nullable=True),
    sa.Column('last_sync', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_sync_peers_site_id_sites')),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_sync_peers')),
    sa.UniqueConstraint('name', name=op.f('uq_sync_peers_name'))
    )
    op.create_table('sync_batches',
    sa.Column('node_id', sa.Uuid(), nullable=False),
    sa.Column('batch_no', sa.BigInteger(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('first_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['sync_peers.node_id'], name=op.f('fk_sync_batches_node_id_sync_peers')),
    sa.PrimaryKeyConstraint('node_id', 'batch_no', name=op.f('pk_sync_batches'))
    )
    with op.batch_alter_table('nodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_seq', sa.BigInteger(), server_default='0', nullable=False))
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_balances_physical_not_negative"), type_="check")


def downgrade() -> None:
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.create_check_constraint("physical_not_negative",
                                         "NOT physical OR quantity >= 0")

    # natively (SQLite ≥ 3.35): rebuilding nodes would trip the keys that point at it
    op.execute("ALTER TABLE nodes DROP COLUMN outbox_seq")

    op.drop_table('sync_batches')
    op.drop_table('sync_peers')
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_conflicts_state')

    op.drop_table('sync_conflicts')
    op.drop_table('sync_outbox')
