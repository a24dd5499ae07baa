"""Snapshot tables (agg_*) belong to the tenant whose figures they hold: tenant_id under the normal policies

``agg_snapshot.scope_tenant_id`` becomes ``tenant_id`` (the county, or the
platform for the country); ``agg_value`` gets the snapshot's ``tenant_id``,
a composite foreign key onto ``agg_snapshot (tenant_id, id)`` and
``tenant_id`` first in its unique constraint and index. Existing rows are
backfilled. The Row-Level Security policies of the new tenant tables are
installed after the upgrade by ``core.rls.install`` (migrations/env.py).

Revision ID: d41f7b2c9e05
Revises: a7c3e91f2b10 (re-chained by the lead; written against 3b9e2d7a1c40)
Create Date: 2026-12-06 04:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd41f7b2c9e05'
down_revision = 'a7c3e91f2b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_id', sa.Integer(), nullable=True))
    op.execute('UPDATE agg_snapshot SET tenant_id = scope_tenant_id')
    with op.batch_alter_table('agg_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_id', sa.Integer(), nullable=True))
    op.execute('UPDATE agg_value SET tenant_id = (SELECT s.tenant_id FROM agg_snapshot s WHERE s.id = agg_value.snapshot_id)')

    with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_agg_snapshot_scope_period'))
        batch_op.create_index('ix_agg_snapshot_scope_period', ['tenant_id', 'period', 'computed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_agg_snapshot_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_agg_snapshot_tenant_id_id'), ['tenant_id', 'id'])
        batch_op.drop_constraint(batch_op.f('fk_agg_snapshot_scope_tenant_id_tenant'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_agg_snapshot_tenant_id_tenant'), 'tenant', ['tenant_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_column('scope_tenant_id')

    with op.batch_alter_table('agg_value', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_agg_value_snapshot_id_subject_tenant_id_code'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_agg_value_subject'))
        batch_op.create_index('ix_agg_value_subject', ['tenant_id', 'subject_tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agg_value_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_agg_value_tenant_id_id'), ['tenant_id', 'id'])
        batch_op.create_unique_constraint(batch_op.f('uq_agg_value_tenant_id_snapshot_id_subject_tenant_id_code'),
                                          ['tenant_id', 'snapshot_id', 'subject_tenant_id', 'code'])
        batch_op.drop_constraint(batch_op.f('fk_agg_value_snapshot_id_agg_snapshot'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_agg_value_tenant_id_tenant'), 'tenant', ['tenant_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_agg_value_tenant_id_snapshot_id_agg_snapshot'), 'agg_snapshot',
                                    ['tenant_id', 'snapshot_id'], ['tenant_id', 'id'], ondelete='CASCADE')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':  # the policies read tenant_id: global tables again
        for table in ('agg_value', 'agg_snapshot'):
            for policy in ('tenant_read', 'tenant_write', 'maint_all'):
                op.execute(f'DROP POLICY IF EXISTS {policy} ON {table}')
            op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
    with op.batch_alter_table('agg_value', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agg_value_tenant_id_snapshot_id_agg_snapshot'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_agg_value_tenant_id_tenant'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_agg_value_snapshot_id_agg_snapshot'), 'agg_snapshot',
                                    ['snapshot_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_agg_value_tenant_id_snapshot_id_subject_tenant_id_code'),
                                 type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_agg_value_tenant_id_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_agg_value_tenant_id'))
        batch_op.drop_index('ix_agg_value_subject')
        batch_op.create_index(batch_op.f('ix_agg_value_subject'), ['subject_tenant_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_agg_value_snapshot_id_subject_tenant_id_code'),
                                          ['snapshot_id', 'subject_tenant_id', 'code'])
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_tenant_id', sa.Integer(), nullable=True))
    op.execute('UPDATE agg_snapshot SET scope_tenant_id = tenant_id')
    with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
        batch_op.alter_column('scope_tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_agg_snapshot_tenant_id_tenant'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_agg_snapshot_scope_tenant_id_tenant'), 'tenant',
                                    ['scope_tenant_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_agg_snapshot_tenant_id_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_agg_snapshot_tenant_id'))
        batch_op.drop_index('ix_agg_snapshot_scope_period')
        batch_op.create_index(batch_op.f('ix_agg_snapshot_scope_period'), ['scope_tenant_id', 'period', 'computed_at'],
                              unique=False)
        batch_op.drop_column('tenant_id')
