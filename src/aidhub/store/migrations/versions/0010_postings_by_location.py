"""postings by location

Revision ID: 0010
Revises: 0009
Adds an index on postings.location_id. What went to a hub's LOST locations this month
(the dashboard's losses, the loss figures of reports) and a location's stock card read the
postings of a few locations; without it each read scanned every posting (0.3 s at 1,000,000
movements on PostgreSQL, on every dashboard view).

Create Date: 2026-12-01 02:40:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_postings_location", "postings", ["location_id"])


def downgrade() -> None:
    op.drop_index("ix_postings_location", table_name="postings")
