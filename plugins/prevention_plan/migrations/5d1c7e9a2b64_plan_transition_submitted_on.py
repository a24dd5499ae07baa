"""plan_transition.submitted_on: the date the plan was sent to the council (the chain's first document date)

Revision ID: 5d1c7e9a2b64
Revises: 5d2b8e41a9c3
Create Date: 2026-12-06 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c7e9a2b64'
down_revision = '5d2b8e41a9c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_transition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('plan_transition', schema=None) as batch_op:
        batch_op.drop_column('submitted_on')
