"""snapshot summaries (pages precomputed at refresh); pin_progress index led by tenant_id

Revision ID: 3b9e2d7a1c40
Revises: 7fc4158dc37b
Create Date: 2026-12-02 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '3b9e2d7a1c40'
down_revision = '7fc4158dc37b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.JSON(), nullable=True))

    with op.batch_alter_table('pin_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_pin_progress_locality_date')
        batch_op.create_index('ix_pin_progress_tenant_locality_date', ['tenant_id', 'locality_tenant_id', 'entry_date'], unique=False)


def downgrade():
    with op.batch_alter_table('pin_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_pin_progress_tenant_locality_date')
        batch_op.create_index('ix_pin_progress_locality_date', ['locality_tenant_id', 'entry_date'], unique=False)

    with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
        batch_op.drop_column('summary')
