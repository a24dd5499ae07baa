"""county_overview: each county's own targets (county_target)

Revision ID: 5c0d4e1f2a77
Revises: 3b9e2d7a1c40
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '5c0d4e1f2a77'
down_revision = '3b9e2d7a1c40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('county_target',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_county_target_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_county_target')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_county_target_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_county_target_tenant_id_key'))
    )
    with op.batch_alter_table('county_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_county_target_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('county_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_county_target_tenant_id'))

    op.drop_table('county_target')
