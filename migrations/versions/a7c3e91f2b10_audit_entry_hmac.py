"""Audit entries carry an HMAC made with a key kept on the application hosts

The roles' write rights on the audit tables and the owner's append function
that computes sequence numbers and hashes are (re)installed after every
upgrade by ``core.rls.install`` (migrations/env.py); this revision only adds
the column. Entries written before it keep a NULL HMAC ("before keys").

Revision ID: a7c3e91f2b10
Revises: 5d1e8a2c7f30
Create Date: 2026-12-06 03:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e91f2b10'
down_revision = '5d1e8a2c7f30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hmac', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('hmac')
