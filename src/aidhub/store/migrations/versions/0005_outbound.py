"""outbound

Revision ID: 0005
Revises: 0004
Adds pick lists and their lines, convoys, waybills with their lines and tracking events,
proofs of delivery with their lines, loss reports, and what has been picked, dispatched
and delivered of each release order line.

Create Date: 2026-11-30 14:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('convoys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('hub_id', sa.Uuid(), nullable=False),
    sa.Column('route', sa.Text(), server_default='', nullable=False),
    sa.Column('checkpoints', sa.Text(), server_default='', nullable=False),
    sa.Column('notification', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['sites.id'], name=op.f('fk_convoys_hub_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convoys')),
    sa.UniqueConstraint('number', name=op.f('uq_convoys_number'))
    )
    op.create_table('pick_lists',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('release_order_id', sa.Uuid(), nullable=False),
    sa.Column('hub_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('ship_date', sa.Date(), nullable=False),
    sa.Column('skipped', sa.Text(), server_default='[]', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['sites.id'], name=op.f('fk_pick_lists_hub_id_sites')),
    sa.ForeignKeyConstraint(['release_order_id'], ['release_orders.id'], name=op.f('fk_pick_lists_release_order_id_release_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pick_lists')),
    sa.UniqueConstraint('number', name=op.f('uq_pick_lists_number'))
    )
    with op.batch_alter_table('pick_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pick_lists_release_order_id'), ['release_order_id'], unique=False)

    op.create_table('waybills',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('hub_id', sa.Uuid(), nullable=False),
    sa.Column('destination_id', sa.Uuid(), nullable=False),
    sa.Column('consignee_id', sa.Uuid(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('plate', sa.String(length=30), nullable=False),
    sa.Column('capacity_kg', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('capacity_m3', sa.Numeric(precision=10, scale=3), nullable=False),
    sa.Column('driver_party_id', sa.Uuid(), nullable=False),
    sa.Column('transporter_party_id', sa.Uuid(), nullable=False),
    sa.Column('seals', sa.String(length=200), server_default='', nullable=False),
    sa.Column('convoy_id', sa.Uuid(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(), nullable=True),
    sa.Column('dispatch_movement_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['consignee_id'], ['organisations.id'], name=op.f('fk_waybills_consignee_id_organisations')),
    sa.ForeignKeyConstraint(['convoy_id'], ['convoys.id'], name=op.f('fk_waybills_convoy_id_convoys')),
    sa.ForeignKeyConstraint(['destination_id'], ['sites.id'], name=op.f('fk_waybills_destination_id_sites')),
    sa.ForeignKeyConstraint(['dispatch_movement_id'], ['movements.id'], name=op.f('fk_waybills_dispatch_movement_id_movements')),
    sa.ForeignKeyConstraint(['driver_party_id'], ['parties.id'], name=op.f('fk_waybills_driver_party_id_parties')),
    sa.ForeignKeyConstraint(['hub_id'], ['sites.id'], name=op.f('fk_waybills_hub_id_sites')),
    sa.ForeignKeyConstraint(['transporter_party_id'], ['parties.id'], name=op.f('fk_waybills_transporter_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waybills')),
    sa.UniqueConstraint('number', name=op.f('uq_waybills_number'))
    )
    with op.batch_alter_table('waybills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waybills_convoy_id'), ['convoy_id'], unique=False)
        batch_op.create_index('ix_waybills_hub_state', ['hub_id', 'state'], unique=False)

    op.create_table('loss_reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('waybill_id', sa.Uuid(), nullable=False),
    sa.Column('share', sa.Numeric(precision=7, scale=6), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=7, scale=6), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=100), nullable=True),
    sa.Column('decision', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['waybill_id'], ['waybills.id'], name=op.f('fk_loss_reports_waybill_id_waybills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loss_reports')),
    sa.UniqueConstraint('number', name=op.f('uq_loss_reports_number')),
    sa.UniqueConstraint('waybill_id', name=op.f('uq_loss_reports_waybill_id'))
    )
    op.create_table('pick_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pick_list_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('release_order_line_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('lot_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('picked', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('loaded', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('picked_at', sa.DateTime(), nullable=True),
    sa.Column('picked_by', sa.String(length=100), nullable=True),
    sa.Column('override_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('sscc', sa.String(length=18), server_default='', nullable=False),
    sa.Column('movement_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_pick_lines_location_id_locations')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_pick_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['movement_id'], ['movements.id'], name=op.f('fk_pick_lines_movement_id_movements')),
    sa.ForeignKeyConstraint(['owner_id'], ['organisations.id'], name=op.f('fk_pick_lines_owner_id_organisations')),
    sa.ForeignKeyConstraint(['pick_list_id'], ['pick_lists.id'], name=op.f('fk_pick_lines_pick_list_id_pick_lists')),
    sa.ForeignKeyConstraint(['release_order_line_id'], ['release_order_lines.id'], name=op.f('fk_pick_lines_release_order_line_id_release_order_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pick_lines')),
    sa.UniqueConstraint('pick_list_id', 'line_no', name='uq_pick_lines_line')
    )
    with op.batch_alter_table('pick_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pick_lines_pick_list_id'), ['pick_list_id'], unique=False)

    op.create_table('pods',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('waybill_id', sa.Uuid(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('signer', sa.String(length=100), nullable=False),
    sa.Column('seal_state', sa.String(length=20), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sa.String(length=40), server_default='', nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('movement_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['movement_id'], ['movements.id'], name=op.f('fk_pods_movement_id_movements')),
    sa.ForeignKeyConstraint(['waybill_id'], ['waybills.id'], name=op.f('fk_pods_waybill_id_waybills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pods')),
    sa.UniqueConstraint('waybill_id', name=op.f('uq_pods_waybill_id'))
    )
    op.create_table('waybill_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('waybill_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('place', sa.String(length=200), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['waybill_id'], ['waybills.id'], name=op.f('fk_waybill_events_waybill_id_waybills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waybill_events'))
    )
    with op.batch_alter_table('waybill_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waybill_events_waybill_id'), ['waybill_id'], unique=False)

    op.create_table('pod_lines',
    sa.Column('pod_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('good', sa.BigInteger(), nullable=False),
    sa.Column('damaged', sa.BigInteger(), nullable=False),
    sa.Column('short', sa.BigInteger(), nullable=False),
    sa.Column('lost', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['pod_id'], ['pods.id'], name=op.f('fk_pod_lines_pod_id_pods')),
    sa.PrimaryKeyConstraint('pod_id', 'line_no', name=op.f('pk_pod_lines'))
    )
    op.create_table('waybill_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('waybill_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('pick_line_id', sa.Uuid(), nullable=False),
    sa.Column('release_order_line_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('lot_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('from_location_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('sscc', sa.String(length=18), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_waybill_lines_from_location_id_locations')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_waybill_lines_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_waybill_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['owner_id'], ['organisations.id'], name=op.f('fk_waybill_lines_owner_id_organisations')),
    sa.ForeignKeyConstraint(['pick_line_id'], ['pick_lines.id'], name=op.f('fk_waybill_lines_pick_line_id_pick_lines')),
    sa.ForeignKeyConstraint(['release_order_line_id'], ['release_order_lines.id'], name=op.f('fk_waybill_lines_release_order_line_id_release_order_lines')),
    sa.ForeignKeyConstraint(['waybill_id'], ['waybills.id'], name=op.f('fk_waybill_lines_waybill_id_waybills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waybill_lines')),
    sa.UniqueConstraint('waybill_id', 'line_no', name='uq_waybill_lines_line')
    )
    with op.batch_alter_table('waybill_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waybill_lines_waybill_id'), ['waybill_id'], unique=False)

    with op.batch_alter_table('release_order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picked', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('dispatched', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('delivered', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('closed', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('release_order_lines', schema=None) as batch_op:
        batch_op.drop_column('closed')
        batch_op.drop_column('delivered')
        batch_op.drop_column('dispatched')
        batch_op.drop_column('picked')

    with op.batch_alter_table('waybill_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waybill_lines_waybill_id'))

    op.drop_table('waybill_lines')
    op.drop_table('pod_lines')
    with op.batch_alter_table('waybill_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waybill_events_waybill_id'))

    op.drop_table('waybill_events')
    op.drop_table('pods')
    with op.batch_alter_table('pick_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pick_lines_pick_list_id'))

    op.drop_table('pick_lines')
    op.drop_table('loss_reports')
    with op.batch_alter_table('waybills', schema=None) as batch_op:
        batch_op.drop_index('ix_waybills_hub_state')
        batch_op.drop_index(batch_op.f('ix_waybills_convoy_id'))

    op.drop_table('waybills')
    with op.batch_alter_table('pick_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pick_lists_release_order_id'))

    op.drop_table('pick_lists')
    op.drop_table('convoys')
