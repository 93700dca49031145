"""screening

Revision ID: 0003
Revises: 0002
Adds sanctions list versions and entries, parties, screening hits, holds and the
controlled-goods list versions.

Create Date: 2026-11-30 11:06:41.233674
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goods_list_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_list_versions")),
    )
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("list", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("generated", sa.DateTime(), nullable=True),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_versions")),
    )
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.create_index("ix_list_versions_list_loaded", ["list", "loaded_at"], unique=False)

    op.create_table(
        "list_entries",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("caption", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["list_versions.id"],
            name=op.f("fk_list_entries_version_id_list_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "entry_id", name=op.f("pk_list_entries")),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("original_name", sa.String(length=300), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("nationality", sa.String(length=60), nullable=True),
        sa.Column("id_number", sa.String(length=60), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_parties_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_parties_organisation_id")),
    )
    op.create_table(
        "party_links",
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("consignment_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_party_links_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_party_links_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("party_id", "consignment_id", "role", name=op.f("pk_party_links")),
    )
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=True),
        sa.Column("consignment_line_id", sa.Uuid(), nullable=True),
        sa.Column("list", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=60), nullable=False),
        sa.Column("entry_name", sa.String(length=300), nullable=False),
        sa.Column("entry_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("party_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("exemption", sa.String(length=20), nullable=True),
        sa.Column("licence", sa.String(length=100), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_line_id"],
            ["consignment_lines.id"],
            name=op.f("fk_screening_hits_consignment_line_id_consignment_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_screening_hits_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
    )
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_hits_consignment_line_id"),
            ["consignment_line_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_screening_hits_party_id"), ["party_id"], unique=False)

    op.create_table(
        "holds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("hit_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["hit_id"], ["screening_hits.id"], name=op.f("fk_holds_hit_id_screening_hits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index("ix_holds_subject", ["subject", "subject_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index("ix_holds_subject")

    op.drop_table("holds")
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_hits_party_id"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_consignment_line_id"))

    op.drop_table("screening_hits")
    op.drop_table("party_links")
    op.drop_table("parties")
    op.drop_table("list_entries")
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_list_versions_list_loaded")

    op.drop_table("list_versions")
    op.drop_table("goods_list_versions")
