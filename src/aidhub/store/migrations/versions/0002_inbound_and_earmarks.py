"""inbound and earmarks

Revision ID: 0002
Revises: 0001
Adds channels, consignments and their lines and timeline, GRNs, handling units,
settings and counters; and the earmark to postings and balances.

Create Date: 2026-11-30 10:47:44.333706
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("route", sa.String(length=30), nullable=False),
        sa.Column("provider_type", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("code", name=op.f("uq_channels_code")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "consignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("hub_id", sa.Uuid(), nullable=False),
        sa.Column("consignor_id", sa.Uuid(), nullable=False),
        sa.Column("consignee_id", sa.Uuid(), nullable=False),
        sa.Column("donor_id", sa.Uuid(), nullable=True),
        sa.Column("channel_id", sa.Uuid(), nullable=True),
        sa.Column("point_of_entry_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("eta", sa.Date(), nullable=True),
        sa.Column("document_type", sa.String(length=20), nullable=True),
        sa.Column("document_number", sa.String(length=60), server_default="", nullable=False),
        sa.Column("vehicle", sa.String(length=100), server_default="", nullable=False),
        sa.Column("driver", sa.String(length=100), server_default="", nullable=False),
        sa.Column("seals", sa.String(length=200), server_default="", nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("documents_checked", sa.Text(), server_default="", nullable=False),
        sa.Column("clearance", sa.String(length=20), nullable=True),
        sa.Column("seal_check", sa.String(length=20), nullable=True),
        sa.Column("seals_found", sa.String(length=200), server_default="", nullable=False),
        sa.Column("protest_letter", sa.String(length=100), server_default="", nullable=False),
        sa.Column("survey_report", sa.String(length=100), server_default="", nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_consignments_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["consignee_id"],
            ["organisations.id"],
            name=op.f("fk_consignments_consignee_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["consignor_id"],
            ["organisations.id"],
            name=op.f("fk_consignments_consignor_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"], ["organisations.id"], name=op.f("fk_consignments_donor_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["sites.id"], name=op.f("fk_consignments_hub_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["point_of_entry_id"],
            ["sites.id"],
            name=op.f("fk_consignments_point_of_entry_id_sites"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignments")),
        sa.UniqueConstraint("number", name=op.f("uq_consignments_number")),
    )
    with op.batch_alter_table("consignments", schema=None) as batch_op:
        batch_op.create_index("ix_consignments_hub_state", ["hub_id", "state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consignments_source_hash"), ["source_hash"], unique=False
        )

    op.create_table(
        "consignment_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consignment_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("movement_id", sa.Uuid(), nullable=True),
        sa.Column("document", sa.String(length=40), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_events_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["movements.id"],
            name=op.f("fk_consignment_events_movement_id_movements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_events")),
    )
    with op.batch_alter_table("consignment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consignment_events_consignment_id"), ["consignment_id"], unique=False
        )

    op.create_table(
        "consignment_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consignment_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("batch", sa.String(length=60), server_default="", nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("volume_m3", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="", nullable=False),
        sa.Column("donor_id", sa.Uuid(), nullable=True),
        sa.Column("earmark", sa.String(length=60), server_default="", nullable=False),
        sa.Column("sscc", sa.String(length=18), server_default="", nullable=False),
        sa.Column("received", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("short", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("closed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("transit_lot_id", sa.Uuid(), nullable=True),
        sa.Column("in_transit", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_lines_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["transit_lot_id"], ["lots.id"], name=op.f("fk_consignment_lines_transit_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["organisations.id"],
            name=op.f("fk_consignment_lines_donor_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_consignment_lines_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_lines")),
        sa.UniqueConstraint("consignment_id", "line_no", name="uq_consignment_lines_line"),
    )
    op.create_table(
        "grns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("consignment_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("received_by", sa.String(length=100), nullable=False),
        sa.Column("delivered_by", sa.String(length=100), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("movement_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_grns_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"], ["movements.id"], name=op.f("fk_grns_movement_id_movements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grns")),
        sa.UniqueConstraint("number", name=op.f("uq_grns_number")),
    )
    op.create_table(
        "grn_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("grn_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("consignment_line_id", sa.Uuid(), nullable=True),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("earmark", sa.String(length=60), server_default="", nullable=False),
        sa.Column("good", sa.BigInteger(), nullable=False),
        sa.Column("damaged", sa.BigInteger(), nullable=False),
        sa.Column("quarantined", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("over", sa.BigInteger(), nullable=False),
        sa.Column("short", sa.BigInteger(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("triage_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("triaged_at", sa.DateTime(), nullable=True),
        sa.Column("triaged_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["consignment_line_id"],
            ["consignment_lines.id"],
            name=op.f("fk_grn_lines_consignment_line_id_consignment_lines"),
        ),
        sa.ForeignKeyConstraint(["grn_id"], ["grns.id"], name=op.f("fk_grn_lines_grn_id_grns")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_grn_lines_item_id_items")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_grn_lines_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organisations.id"], name=op.f("fk_grn_lines_owner_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grn_lines")),
    )
    with op.batch_alter_table("grn_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grn_lines_grn_id"), ["grn_id"], unique=False)

    op.create_table(
        "handling_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("grn_line_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("put_away_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["grn_line_id"], ["grn_lines.id"], name=op.f("fk_handling_units_grn_line_id_grn_lines")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_handling_units_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling_units")),
        sa.UniqueConstraint("sscc", name=op.f("uq_handling_units_sscc")),
    )
    with op.batch_alter_table("handling_units", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handling_units_grn_line_id"), ["grn_line_id"], unique=False
        )

    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("earmark", sa.String(length=60), server_default="", nullable=False)
        )

    # Balances are derived data (``aidhub ledger verify`` recomputes them from the postings):
    # rebuild the table with the earmark in its key and copy the balances over.
    _rebuild_balances(with_earmark=True)


def downgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("earmark")

    _rebuild_balances(with_earmark=False)

    with op.batch_alter_table("handling_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handling_units_grn_line_id"))

    op.drop_table("handling_units")
    with op.batch_alter_table("grn_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grn_lines_grn_id"))

    op.drop_table("grn_lines")
    op.drop_table("grns")
    op.drop_table("consignment_lines")
    with op.batch_alter_table("consignment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consignment_events_consignment_id"))

    op.drop_table("consignment_events")
    with op.batch_alter_table("consignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consignments_source_hash"))
        batch_op.drop_index("ix_consignments_hub_state")

    op.drop_table("consignments")
    op.drop_table("settings")
    op.drop_table("counters")
    op.drop_table("channels")


def _balances_table(with_earmark: bool) -> None:
    columns = [
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
    ]
    key = ["location_id", "item_id", "lot_id", "owner_id"]
    if with_earmark:
        columns.append(
            sa.Column("earmark", sa.String(length=60), server_default="", nullable=False)
        )
        key.append("earmark")
    op.create_table(
        "balances",
        *columns,
        sa.Column("physical", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "NOT physical OR quantity >= 0", name=op.f("ck_balances_physical_not_negative")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_balances_item_id_items")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_balances_location_id_locations")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_balances_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organisations.id"], name=op.f("fk_balances_owner_id_organisations")
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_balances")),
    )


def _rebuild_balances(with_earmark: bool) -> None:
    op.execute("CREATE TABLE balances_old AS SELECT * FROM balances")
    op.drop_table("balances")
    _balances_table(with_earmark)
    if with_earmark:
        op.execute(
            "INSERT INTO balances (location_id, item_id, lot_id, owner_id, earmark, physical, "
            "quantity) SELECT location_id, item_id, lot_id, owner_id, '', physical, quantity "
            "FROM balances_old"
        )
    else:
        op.execute(
            "INSERT INTO balances (location_id, item_id, lot_id, owner_id, physical, quantity) "
            "SELECT location_id, item_id, lot_id, owner_id, "
            "CASE WHEN MAX(CASE WHEN physical THEN 1 ELSE 0 END) = 1 THEN TRUE ELSE FALSE END, "
            "SUM(quantity) "
            "FROM balances_old GROUP BY location_id, item_id, lot_id, owner_id"
        )
    op.drop_table("balances_old")
