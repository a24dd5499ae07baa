"""hello branch base: the test plugin's greeting table

A third-party plugin ships its tables the same way as the built-in ones.

Revision ID: 1c9d4b7e2f60
Revises:
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.toolkit import UTCDateTime


# revision identifiers, used by Alembic.
revision = '1c9d4b7e2f60'
down_revision = None
branch_labels = ('hello',)
depends_on = ('a3f1c7d20e58',)


def upgrade():
    # a table already there (a database of the single history, re-stamped) is kept as it is, rows and all
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if 'hello_greeting' not in existing:
        op.create_table('hello_greeting',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_hello_greeting_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hello_greeting')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_hello_greeting_tenant_id_id'))
        )
        with op.batch_alter_table('hello_greeting', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_hello_greeting_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_hello_greeting_tenant_job', ['tenant_id', 'job_id'], unique=False)


def downgrade():
    op.drop_table('hello_greeting')
