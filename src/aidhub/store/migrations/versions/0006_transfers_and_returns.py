"""transfers and returns

Revision ID: 0006
Revises: 0005
A release order may come without a plan (a transfer to another hub); a waybill to a hub
names the consignment it became there; a consignment line names the waybill line it
came from (a transfer, or goods returned from a distribution point).

Create Date: 2026-11-30 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("release_orders", schema=None) as batch_op:
        batch_op.alter_column("plan_id", existing_type=sa.Uuid(), nullable=True)
    with op.batch_alter_table("waybills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consignment_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_waybills_consignment_id"), ["consignment_id"],
                              unique=False)
        batch_op.create_foreign_key("fk_waybills_consignment_id_consignments",
                                    "consignments", ["consignment_id"], ["id"])
    with op.batch_alter_table("consignment_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waybill_line_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_consignment_lines_waybill_line_id"),
                              ["waybill_line_id"], unique=False)
        batch_op.create_foreign_key("fk_consignment_lines_waybill_line_id_waybill_lines",
                                    "waybill_lines", ["waybill_line_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("consignment_lines", schema=None) as batch_op:
        batch_op.drop_constraint("fk_consignment_lines_waybill_line_id_waybill_lines",
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_consignment_lines_waybill_line_id"))
        batch_op.drop_column("waybill_line_id")
    with op.batch_alter_table("waybills", schema=None) as batch_op:
        batch_op.drop_constraint("fk_waybills_consignment_id_consignments",
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_waybills_consignment_id"))
        batch_op.drop_column("consignment_id")
    with op.batch_alter_table("release_orders", schema=None) as batch_op:
        batch_op.alter_column("plan_id", existing_type=sa.Uuid(), nullable=False)
