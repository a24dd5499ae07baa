"""pin_project branch base: the funded projects' tables

The first revision of the plugin's own branch; it depends on the core baseline.

Revision ID: 8e6a0f3c5b17
Revises:
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.toolkit import Money, UTCDateTime


# revision identifiers, used by Alembic.
revision = '8e6a0f3c5b17'
down_revision = None
branch_labels = ('pin_project',)
depends_on = ('a3f1c7d20e58',)


def upgrade():
    # a table already there (a database of the single history, re-stamped) is kept as it is, rows and all
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if 'pin_programme' not in existing:
        op.create_table('pin_programme',
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('name', sa.String(length=500), nullable=False),
        sa.Column('funder_name', sa.String(length=300), nullable=False),
        sa.Column('funder_acronym', sa.String(length=30), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_programme_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_programme')),
        sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_pin_programme_tenant_id_code')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_programme_tenant_id_id'))
        )
        with op.batch_alter_table('pin_programme', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_programme_tenant_id'), ['tenant_id'], unique=False)

    if 'pin_project' not in existing:
        op.create_table('pin_project',
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=True),
        sa.Column('budget_total', Money(precision=14, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('period_text', sa.String(length=200), nullable=True),
        sa.Column('status', sa.Enum('planned', 'running', 'closed', name='projectstatus', native_enum=False, length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('budget_total >= 0', name=op.f('ck_pin_project_budget_total')),
        sa.CheckConstraint('end_date >= start_date', name=op.f('ck_pin_project_period')),
        sa.ForeignKeyConstraint(['tenant_id', 'programme_id'], ['pin_programme.tenant_id', 'pin_programme.id'], name=op.f('fk_pin_project_tenant_id_programme_id_pin_programme'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_project_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_project')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_project_tenant_id_id'))
        )
        with op.batch_alter_table('pin_project', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_project_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_project_tenant_programme', ['tenant_id', 'programme_id'], unique=False)

    if 'pin_activity' not in existing:
        op.create_table('pin_activity',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('planned_start', sa.Date(), nullable=True),
        sa.Column('planned_end', sa.Date(), nullable=True),
        sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'cancelled', name='activitystatus', native_enum=False, length=20), nullable=False),
        sa.Column('responsible', sa.String(length=300), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start', name=op.f('ck_pin_activity_sched')),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_activity_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_activity_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_activity')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_activity_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'project_id', 'number', name=op.f('uq_pin_activity_tenant_id_project_id_number'))
        )
        with op.batch_alter_table('pin_activity', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_activity_tenant_id'), ['tenant_id'], unique=False)

    if 'pin_budget_line' not in existing:
        op.create_table('pin_budget_line',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=300), nullable=False),
        sa.Column('planned_original', Money(precision=14, scale=2), nullable=False),
        sa.Column('planned', Money(precision=14, scale=2), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('planned >= 0 AND planned_original >= 0', name=op.f('ck_pin_budget_line_planned')),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_budget_line_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_budget_line_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_budget_line')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_budget_line_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'project_id', 'category', name=op.f('uq_pin_budget_line_tenant_id_project_id_category'))
        )
        with op.batch_alter_table('pin_budget_line', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_budget_line_tenant_id'), ['tenant_id'], unique=False)

    if 'pin_objective' not in existing:
        op.create_table('pin_objective',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_objective_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_objective_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_objective')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_objective_tenant_id_id'))
        )
        with op.batch_alter_table('pin_objective', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_objective_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_objective_tenant_project', ['tenant_id', 'project_id'], unique=False)

    if 'pin_project_locality' not in existing:
        op.create_table('pin_project_locality',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('locality_tenant_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('employs_staff', sa.Boolean(), nullable=False),
        sa.Column('creates_council', sa.Boolean(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['locality_tenant_id'], ['tenant.id'], name=op.f('fk_pin_project_locality_locality_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_project_locality_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_project_locality_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_project_locality')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_project_locality_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'project_id', 'locality_tenant_id', name=op.f('uq_pin_project_locality_tenant_id_project_id_locality_tenant_id'))
        )
        with op.batch_alter_table('pin_project_locality', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_project_locality_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_project_locality_tenant_locality', ['tenant_id', 'locality_tenant_id'], unique=False)

    if 'pin_result' not in existing:
        op.create_table('pin_result',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_result_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_result_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_result')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_result_tenant_id_id'))
        )
        with op.batch_alter_table('pin_result', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_result_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_result_tenant_project', ['tenant_id', 'project_id'], unique=False)

    if 'pin_target_group' not in existing:
        op.create_table('pin_target_group',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_target_group_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_target_group_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_target_group')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_target_group_tenant_id_id'))
        )
        with op.batch_alter_table('pin_target_group', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_target_group_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_target_group_tenant_project', ['tenant_id', 'project_id'], unique=False)

    if 'pin_activity_line' not in existing:
        op.create_table('pin_activity_line',
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['pin_activity.tenant_id', 'pin_activity.id'], name=op.f('fk_pin_activity_line_tenant_id_activity_id_pin_activity'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'line_id'], ['pin_budget_line.tenant_id', 'pin_budget_line.id'], name=op.f('fk_pin_activity_line_tenant_id_line_id_pin_budget_line'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_activity_line_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_activity_line')),
        sa.UniqueConstraint('tenant_id', 'activity_id', 'line_id', name=op.f('uq_pin_activity_line_tenant_id_activity_id_line_id')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_activity_line_tenant_id_id'))
        )
        with op.batch_alter_table('pin_activity_line', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_activity_line_tenant_id'), ['tenant_id'], unique=False)

    if 'pin_activity_locality' not in existing:
        op.create_table('pin_activity_locality',
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('project_locality_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['pin_activity.tenant_id', 'pin_activity.id'], name=op.f('fk_pin_activity_locality_tenant_id_activity_id_pin_activity'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'project_locality_id'], ['pin_project_locality.tenant_id', 'pin_project_locality.id'], name=op.f('fk_pin_activity_locality_tenant_id_project_locality_id_pin_project_locality'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_activity_locality_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_activity_locality')),
        sa.UniqueConstraint('tenant_id', 'activity_id', 'project_locality_id', name=op.f('uq_pin_activity_locality_tenant_id_activity_id_project_locality_id')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_activity_locality_tenant_id_id'))
        )
        with op.batch_alter_table('pin_activity_locality', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_activity_locality_tenant_id'), ['tenant_id'], unique=False)

    if 'pin_activity_step' not in existing:
        op.create_table('pin_activity_step',
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['pin_activity.tenant_id', 'pin_activity.id'], name=op.f('fk_pin_activity_step_tenant_id_activity_id_pin_activity'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_activity_step_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_activity_step')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_activity_step_tenant_id_id'))
        )
        with op.batch_alter_table('pin_activity_step', schema=None) as batch_op:
            batch_op.create_index('ix_pin_activity_step_tenant_activity', ['tenant_id', 'activity_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_pin_activity_step_tenant_id'), ['tenant_id'], unique=False)

    if 'pin_budget_revision' not in existing:
        op.create_table('pin_budget_revision',
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('previous', Money(precision=14, scale=2), nullable=False),
        sa.Column('planned', Money(precision=14, scale=2), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('revised_on', sa.Date(), nullable=False),
        sa.Column('revised_by_id', sa.Integer(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['revised_by_id'], ['user_account.id'], name=op.f('fk_pin_budget_revision_revised_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'line_id'], ['pin_budget_line.tenant_id', 'pin_budget_line.id'], name=op.f('fk_pin_budget_revision_tenant_id_line_id_pin_budget_line'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_budget_revision_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_budget_revision')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_budget_revision_tenant_id_id'))
        )
        with op.batch_alter_table('pin_budget_revision', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_budget_revision_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_budget_revision_tenant_line', ['tenant_id', 'line_id'], unique=False)

    if 'pin_expenditure' not in existing:
        op.create_table('pin_expenditure',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('spent_on', sa.Date(), nullable=False),
        sa.Column('amount', Money(precision=14, scale=2), nullable=False),
        sa.Column('supplier', sa.String(length=300), nullable=True),
        sa.Column('document_number', sa.String(length=100), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('attachment_path', sa.String(length=500), nullable=True),
        sa.Column('attachment_name', sa.String(length=255), nullable=True),
        sa.Column('attachment_mimetype', sa.String(length=120), nullable=True),
        sa.Column('override', sa.Boolean(), nullable=False),
        sa.Column('override_reasons', sa.Text(), nullable=True),
        sa.Column('override_justification', sa.Text(), nullable=True),
        sa.Column('overridden_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_pin_expenditure_amount')),
        sa.ForeignKeyConstraint(['overridden_by_id'], ['user_account.id'], name=op.f('fk_pin_expenditure_overridden_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_pin_expenditure_recorded_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'line_id'], ['pin_budget_line.tenant_id', 'pin_budget_line.id'], name=op.f('fk_pin_expenditure_tenant_id_line_id_pin_budget_line'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['pin_project.tenant_id', 'pin_project.id'], name=op.f('fk_pin_expenditure_tenant_id_project_id_pin_project'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_expenditure_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_expenditure')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_expenditure_tenant_id_id'))
        )
        with op.batch_alter_table('pin_expenditure', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_expenditure_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_expenditure_tenant_line', ['tenant_id', 'line_id'], unique=False)
            batch_op.create_index('ix_pin_expenditure_tenant_project_date', ['tenant_id', 'project_id', 'spent_on'], unique=False)

    if 'pin_indicator' not in existing:
        op.create_table('pin_indicator',
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=True),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('unit', sa.String(length=40), nullable=False),
        sa.Column('comparator', sa.Enum('at_least', 'exactly', name='comparator', native_enum=False, length=20), nullable=False),
        sa.Column('target', Money(precision=14, scale=2), nullable=False),
        sa.Column('deliverable', sa.Boolean(), nullable=False),
        sa.Column('delivered_on', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('target >= 0', name=op.f('ck_pin_indicator_target')),
        sa.ForeignKeyConstraint(['tenant_id', 'result_id'], ['pin_result.tenant_id', 'pin_result.id'], name=op.f('fk_pin_indicator_tenant_id_result_id_pin_result'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_indicator_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_indicator')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_indicator_tenant_id_id'))
        )
        with op.batch_alter_table('pin_indicator', schema=None) as batch_op:
            batch_op.create_index('ix_pin_indicator_tenant_code', ['tenant_id', 'code'], unique=False)
            batch_op.create_index(batch_op.f('ix_pin_indicator_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_indicator_tenant_result', ['tenant_id', 'result_id'], unique=False)

    if 'pin_indicator_part' not in existing:
        op.create_table('pin_indicator_part',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('target', Money(precision=14, scale=2), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('target >= 0', name=op.f('ck_pin_indicator_part_target')),
        sa.ForeignKeyConstraint(['tenant_id', 'indicator_id'], ['pin_indicator.tenant_id', 'pin_indicator.id'], name=op.f('fk_pin_indicator_part_tenant_id_indicator_id_pin_indicator'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_indicator_part_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_indicator_part')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_indicator_part_tenant_id_id'))
        )
        with op.batch_alter_table('pin_indicator_part', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_indicator_part_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_indicator_part_tenant_indicator', ['tenant_id', 'indicator_id'], unique=False)

    if 'pin_progress' not in existing:
        op.create_table('pin_progress',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('part_id', sa.Integer(), nullable=True),
        sa.Column('entry_date', sa.Date(), nullable=False),
        sa.Column('value', Money(precision=14, scale=2), nullable=False),
        sa.Column('locality_tenant_id', sa.Integer(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('attachment_path', sa.String(length=500), nullable=True),
        sa.Column('attachment_name', sa.String(length=255), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['locality_tenant_id'], ['tenant.id'], name=op.f('fk_pin_progress_locality_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_pin_progress_recorded_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'indicator_id'], ['pin_indicator.tenant_id', 'pin_indicator.id'], name=op.f('fk_pin_progress_tenant_id_indicator_id_pin_indicator'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'part_id'], ['pin_indicator_part.tenant_id', 'pin_indicator_part.id'], name=op.f('fk_pin_progress_tenant_id_part_id_pin_indicator_part')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_pin_progress_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_progress')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_pin_progress_tenant_id_id'))
        )
        with op.batch_alter_table('pin_progress', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_progress_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_pin_progress_tenant_indicator_date', ['tenant_id', 'indicator_id', 'entry_date'], unique=False)
            batch_op.create_index('ix_pin_progress_tenant_locality_date', ['tenant_id', 'locality_tenant_id', 'entry_date'], unique=False)


def downgrade():
    op.drop_table('pin_progress')
    op.drop_table('pin_indicator_part')
    op.drop_table('pin_indicator')
    op.drop_table('pin_expenditure')
    op.drop_table('pin_budget_revision')
    op.drop_table('pin_activity_step')
    op.drop_table('pin_activity_locality')
    op.drop_table('pin_activity_line')
    op.drop_table('pin_target_group')
    op.drop_table('pin_result')
    op.drop_table('pin_project_locality')
    op.drop_table('pin_objective')
    op.drop_table('pin_budget_line')
    op.drop_table('pin_activity')
    op.drop_table('pin_project')
    op.drop_table('pin_programme')
