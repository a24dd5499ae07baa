"""county_overview branch base: each county's own targets (county_target)

The first revision of the plugin's own branch; it depends on the core baseline.

Revision ID: 5c0d4e1f2a77
Revises:
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.toolkit import UTCDateTime


# revision identifiers, used by Alembic.
revision = '5c0d4e1f2a77'
down_revision = None
branch_labels = ('county_overview',)
depends_on = ('a3f1c7d20e58',)


def upgrade():
    # a table already there is kept as it is, rows and all
    if 'county_target' in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table('county_target',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
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
