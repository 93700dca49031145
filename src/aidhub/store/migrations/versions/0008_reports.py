"""reports

Revision ID: 0008
Revises: 0007
Adds the reports table: each generated report (donor report, hub report...) with its
parameters, when and by whom it was generated, the SHA-256 of its input figures, and the
file itself.

Create Date: 2026-11-30 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('generated_by', sa.String(length=100), nullable=False),
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    op.create_index('ix_reports_kind_generated_at', 'reports', ['kind', 'generated_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_reports_kind_generated_at', table_name='reports')
    op.drop_table('reports')
