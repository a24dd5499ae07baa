"""core baseline: the core's and the tenants' tables (the branch layout starts here)

Plugins' tables live in their own branches (plugins/<name>/migrations), each depending on this
revision. A new core revision chains after the core's head (down_revision = the latest core revision).

Revision ID: a3f1c7d20e58
Revises:
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = 'a3f1c7d20e58'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade():
    # a table already there (a database of the single history, re-stamped) is kept as it is, rows and all
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if 'audit_chain' not in existing:
        op.create_table('audit_chain',
        sa.Column('tenant_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_audit_chain'))
        )

    if 'audit_entry' not in existing:
        op.create_table('audit_entry',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor_user_id', sa.Integer(), nullable=True),
        sa.Column('actor_token_id', sa.Integer(), nullable=True),
        sa.Column('actor_job_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=200), nullable=False),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('entity', sa.String(length=100), nullable=False),
        sa.Column('entity_id', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
        sa.UniqueConstraint('tenant_id', 'seq', name=op.f('uq_audit_entry_tenant_id_seq'))
        )
        with op.batch_alter_table('audit_entry', schema=None) as batch_op:
            batch_op.create_index('ix_audit_entry_tenant_at', ['tenant_id', 'at'], unique=False)
            batch_op.create_index('ix_audit_entry_tenant_entity', ['tenant_id', 'entity', 'entity_id'], unique=False)

    if 'schema_branch' not in existing:
        op.create_table('schema_branch',
        sa.Column('branch', sa.String(length=60), nullable=False),
        sa.Column('revision', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('branch', name=op.f('pk_schema_branch'))
        )

    if 'tenant' not in existing:
        op.create_table('tenant',
        sa.Column('siruta', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.Enum('platform', 'county', 'locality', name='tenantkind', native_enum=False, length=20), nullable=False),
        sa.Column('uat_type', sa.SmallInteger(), nullable=True),
        sa.Column('county_number', sa.SmallInteger(), nullable=True),
        sa.Column('county_code', sa.String(length=2), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('activated_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('search_key_a', sa.String(length=200), nullable=False),
        sa.Column('search_key_i', sa.String(length=200), nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['tenant.id'], name=op.f('fk_tenant_parent_id_tenant')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant')),
        sa.UniqueConstraint('siruta', name=op.f('uq_tenant_siruta')),
        sa.UniqueConstraint('slug', name=op.f('uq_tenant_slug'))
        )
        with op.batch_alter_table('tenant', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_tenant_county_number'), ['county_number'], unique=False)
            batch_op.create_index(batch_op.f('ix_tenant_parent_id'), ['parent_id'], unique=False)
            batch_op.create_index('ix_tenant_parent_kind', ['parent_id', 'kind'], unique=False)
            batch_op.create_index(batch_op.f('ix_tenant_search_key_a'), ['search_key_a'], unique=False)
            batch_op.create_index(batch_op.f('ix_tenant_search_key_i'), ['search_key_i'], unique=False)

    if 'user_account' not in existing:
        op.create_table('user_account',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('last_login_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
        sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
        )

    if 'agg_snapshot' not in existing:
        op.create_table('agg_snapshot',
        sa.Column('scope_tenant_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('computed_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Enum('running', 'ready', 'failed', name='snapshotstatus', native_enum=False, length=20), nullable=False),
        sa.Column('localities', sa.Integer(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['scope_tenant_id'], ['tenant.id'], name=op.f('fk_agg_snapshot_scope_tenant_id_tenant'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agg_snapshot'))
        )
        with op.batch_alter_table('agg_snapshot', schema=None) as batch_op:
            batch_op.create_index('ix_agg_snapshot_scope_period', ['scope_tenant_id', 'period', 'computed_at'], unique=False)

    if 'api_token' not in existing:
        op.create_table('api_token',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_api_token_tenant_id_tenant'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
        )
        with op.batch_alter_table('api_token', schema=None) as batch_op:
            batch_op.create_index('ix_api_token_tenant_user', ['tenant_id', 'user_id'], unique=False)

    if 'council' not in existing:
        op.create_table('council',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('founding_decision_number', sa.String(length=50), nullable=True),
        sa.Column('founding_decision_date', sa.Date(), nullable=True),
        sa.Column('established_on', sa.Date(), nullable=True),
        sa.Column('trained_on', sa.Date(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_council_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_council_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_council_tenant_id_name'))
        )
        with op.batch_alter_table('council', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_council_tenant_id'), ['tenant_id'], unique=False)

    if 'job' not in existing:
        op.create_table('job',
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=100), nullable=False),
        sa.Column('queue', sa.String(length=40), nullable=False),
        sa.Column('status', sa.Enum('queued', 'not_queued', 'running', 'retrying', 'succeeded', 'failed', 'interrupted', name='jobstatus', native_enum=False, length=20), nullable=False),
        sa.Column('progress', sa.SmallInteger(), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('result_path', sa.String(length=500), nullable=True),
        sa.Column('result_name', sa.String(length=255), nullable=True),
        sa.Column('result_mimetype', sa.String(length=150), nullable=True),
        sa.Column('result_size', sa.BigInteger(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('rq_job_id', sa.String(length=120), nullable=True),
        sa.Column('enqueued_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('started_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_job_progress_range')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_job_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_user_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_job_tenant_id_id'))
        )
        with op.batch_alter_table('job', schema=None) as batch_op:
            batch_op.create_index('ix_job_tenant_created', ['tenant_id', 'created_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_job_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_job_tenant_status', ['tenant_id', 'status'], unique=False)

    if 'membership' not in existing:
        op.create_table('membership',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('platform_admin', 'county_coordinator', 'tenant_admin', 'social_worker', 'council_member', 'viewer', name='role', native_enum=False, length=30), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_membership_tenant_id_tenant'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
        sa.UniqueConstraint('tenant_id', 'user_id', 'role', name=op.f('uq_membership_tenant_id_user_id_role'))
        )
        with op.batch_alter_table('membership', schema=None) as batch_op:
            batch_op.create_index('ix_membership_user', ['user_id'], unique=False)

    if 'tenant_plugin' not in existing:
        op.create_table('tenant_plugin',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('plugin', sa.String(length=60), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_tenant_plugin_tenant_id_tenant'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_plugin')),
        sa.UniqueConstraint('tenant_id', 'plugin', name=op.f('uq_tenant_plugin_tenant_id_plugin'))
        )

    if 'agg_value' not in existing:
        op.create_table('agg_value',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('subject_tenant_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=80), nullable=False),
        sa.Column('value', sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['agg_snapshot.id'], name=op.f('fk_agg_value_snapshot_id_agg_snapshot'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subject_tenant_id'], ['tenant.id'], name=op.f('fk_agg_value_subject_tenant_id_tenant'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agg_value')),
        sa.UniqueConstraint('snapshot_id', 'subject_tenant_id', 'code', name=op.f('uq_agg_value_snapshot_id_subject_tenant_id_code'))
        )
        with op.batch_alter_table('agg_value', schema=None) as batch_op:
            batch_op.create_index('ix_agg_value_subject', ['subject_tenant_id'], unique=False)

    if 'council_meeting' not in existing:
        op.create_table('council_meeting',
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=500), nullable=True),
        sa.Column('members_present', sa.Integer(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'council_id'], ['council.tenant_id', 'council.id'], name=op.f('fk_council_meeting_tenant_id_council_id_council'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_council_meeting_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_meeting')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_council_meeting_tenant_id_id'))
        )
        with op.batch_alter_table('council_meeting', schema=None) as batch_op:
            batch_op.create_index('ix_council_meeting_tenant_council', ['tenant_id', 'council_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_council_meeting_tenant_id'), ['tenant_id'], unique=False)

    if 'council_member' not in existing:
        op.create_table('council_member',
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.Enum('presedinte', 'secretar', 'membru', name='councilrole', native_enum=False, length=20), nullable=False),
        sa.Column('function', sa.String(length=300), nullable=True),
        sa.Column('institution', sa.String(length=300), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('trained_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'council_id'], ['council.tenant_id', 'council.id'], name=op.f('fk_council_member_tenant_id_council_id_council'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_council_member_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_member')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_council_member_tenant_id_id'))
        )
        with op.batch_alter_table('council_member', schema=None) as batch_op:
            batch_op.create_index('ix_council_member_tenant_council', ['tenant_id', 'council_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_council_member_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    op.drop_table('council_member')
    op.drop_table('council_meeting')
    op.drop_table('agg_value')
    op.drop_table('tenant_plugin')
    op.drop_table('membership')
    op.drop_table('job')
    op.drop_table('council')
    op.drop_table('api_token')
    op.drop_table('agg_snapshot')
    op.drop_table('user_account')
    op.drop_table('tenant')
    op.drop_table('schema_branch')
    op.drop_table('audit_entry')
    op.drop_table('audit_chain')
