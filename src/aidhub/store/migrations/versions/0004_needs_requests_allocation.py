"""needs, requests and allocation

Revision ID: 0004
Revises: 0003
Adds the planning figures of sites (population, households, daily dispatch capacity),
routes from hubs to distribution points, requests and their lines, allocation plans,
release orders with their lines, the request lines each serves, and the reservations
that keep planned stock from being promised twice.

Create Date: 2026-11-30 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('plan_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('number', name=op.f('uq_plans_number'))
    )
    op.create_table('release_orders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('hub_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.Column('changed_by', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['sites.id'], name=op.f('fk_release_orders_hub_id_sites')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_release_orders_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_release_orders_number'))
    )
    with op.batch_alter_table('release_orders', schema=None) as batch_op:
        batch_op.create_index('ix_release_orders_hub_state', ['hub_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_release_orders_plan_id'), ['plan_id'], unique=False)

    op.create_table('requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('point_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['point_id'], ['sites.id'], name=op.f('fk_requests_point_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    sa.UniqueConstraint('number', name=op.f('uq_requests_number'))
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index('ix_requests_state', ['state'], unique=False)

    op.create_table('routes',
    sa.Column('hub_id', sa.Uuid(), nullable=False),
    sa.Column('point_id', sa.Uuid(), nullable=False),
    sa.Column('cost_per_kg', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('capacity_kg', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['sites.id'], name=op.f('fk_routes_hub_id_sites')),
    sa.ForeignKeyConstraint(['point_id'], ['sites.id'], name=op.f('fk_routes_point_id_sites')),
    sa.PrimaryKeyConstraint('hub_id', 'point_id', name=op.f('pk_routes'))
    )
    op.create_table('site_planning',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('dispatch_capacity_kg', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_planning_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site_planning'))
    )
    op.create_table('release_order_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_order_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('lot_id', sa.Uuid(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_release_order_lines_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_release_order_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['point_id'], ['sites.id'], name=op.f('fk_release_order_lines_point_id_sites')),
    sa.ForeignKeyConstraint(['release_order_id'], ['release_orders.id'], name=op.f('fk_release_order_lines_release_order_id_release_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_order_lines')),
    sa.UniqueConstraint('release_order_id', 'line_no', name='uq_release_order_lines_line')
    )
    with op.batch_alter_table('release_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_order_lines_release_order_id'), ['release_order_id'], unique=False)

    op.create_table('request_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('basis', sa.Text(), server_default='', nullable=False),
    sa.Column('planned', sa.BigInteger(), server_default='0', nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_request_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_request_lines_item_id_items')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_lines_request_id_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_lines')),
    sa.UniqueConstraint('request_id', 'line_no', name='uq_request_lines_line')
    )
    with op.batch_alter_table('request_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_lines_request_id'), ['request_id'], unique=False)

    op.create_table('allocations',
    sa.Column('release_order_line_id', sa.Uuid(), nullable=False),
    sa.Column('request_line_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['release_order_line_id'], ['release_order_lines.id'], name=op.f('fk_allocations_release_order_line_id_release_order_lines')),
    sa.ForeignKeyConstraint(['request_line_id'], ['request_lines.id'], name=op.f('fk_allocations_request_line_id_request_lines')),
    sa.PrimaryKeyConstraint('release_order_line_id', 'request_line_id', name=op.f('pk_allocations'))
    )
    op.create_table('reservations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_order_line_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('lot_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_reservations_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_reservations_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_reservations_lot_id_lots')),
    sa.ForeignKeyConstraint(['owner_id'], ['organisations.id'], name=op.f('fk_reservations_owner_id_organisations')),
    sa.ForeignKeyConstraint(['release_order_line_id'], ['release_order_lines.id'], name=op.f('fk_reservations_release_order_line_id_release_order_lines')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_reservations_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations'))
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservations_release_order_line_id'), ['release_order_line_id'], unique=False)
        batch_op.create_index('ix_reservations_site_lot', ['site_id', 'lot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_reservations_site_lot')
        batch_op.drop_index(batch_op.f('ix_reservations_release_order_line_id'))

    op.drop_table('reservations')
    op.drop_table('allocations')
    with op.batch_alter_table('request_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_lines_request_id'))

    op.drop_table('request_lines')
    with op.batch_alter_table('release_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_order_lines_release_order_id'))

    op.drop_table('release_order_lines')
    op.drop_table('site_planning')
    op.drop_table('routes')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_state')

    op.drop_table('requests')
    with op.batch_alter_table('release_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_orders_plan_id'))
        batch_op.drop_index('ix_release_orders_hub_state')

    op.drop_table('release_orders')
    op.drop_table('plans')
