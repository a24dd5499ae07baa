"""prevention_plan branch base: the plan's tables

The first revision of the plugin's own branch; it depends on the core baseline.

Revision ID: 5d2b8e41a9c3
Revises:
Create Date: 2026-12-06 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.toolkit import Money, UTCDateTime


# revision identifiers, used by Alembic.
revision = '5d2b8e41a9c3'
down_revision = None
branch_labels = ('prevention_plan',)
depends_on = ('a3f1c7d20e58',)


def upgrade():
    # a table already there (a database of the single history, re-stamped) is kept as it is, rows and all
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if 'plan_plan' not in existing:
        op.create_table('plan_plan',
        sa.Column('year', sa.SmallInteger(), nullable=False),
        sa.Column('revision', sa.SmallInteger(), nullable=False),
        sa.Column('is_current', sa.Boolean(), nullable=False),
        sa.Column('status', sa.Enum('draft', 'submitted', 'endorsed', 'approved', 'in_implementation', 'evaluated', name='planstatus', native_enum=False, length=30), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('institution', sa.String(length=300), nullable=True),
        sa.Column('introduction', sa.Text(), nullable=True),
        sa.Column('legal_basis', sa.Text(), nullable=True),
        sa.Column('general_objective', sa.Text(), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('revision >= 1', name=op.f('ck_plan_plan_revision_positive')),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_plan_plan_year_range')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_plan_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_plan')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_plan_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'year', 'revision', name=op.f('uq_plan_plan_tenant_id_year_revision'))
        )
        with op.batch_alter_table('plan_plan', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_plan_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('uq_plan_plan_current', ['tenant_id', 'year'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    if 'plan_template' not in existing:
        op.create_table('plan_template',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_template_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_template')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_template_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_plan_template_tenant_id_name'))
        )
        with op.batch_alter_table('plan_template', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_template_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_template_tenant_published', ['tenant_id', 'published'], unique=False)

    if 'plan_evaluation' not in existing:
        op.create_table('plan_evaluation',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('narrative', sa.Text(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('evaluated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('evaluated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['evaluated_by_id'], ['user_account.id'], name=op.f('fk_plan_evaluation_evaluated_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_evaluation_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_evaluation_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_evaluation')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_evaluation_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'plan_id', name=op.f('uq_plan_evaluation_tenant_id_plan_id'))
        )
        with op.batch_alter_table('plan_evaluation', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_evaluation_tenant_id'), ['tenant_id'], unique=False)

    if 'plan_objective' not in existing:
        op.create_table('plan_objective',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.SmallInteger(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_objective_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_objective_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_objective')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_objective_tenant_id_id'))
        )
        with op.batch_alter_table('plan_objective', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_objective_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_objective_tenant_plan', ['tenant_id', 'plan_id'], unique=False)

    if 'plan_principle' not in existing:
        op.create_table('plan_principle',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_principle_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_principle_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_principle')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_principle_tenant_id_id'))
        )
        with op.batch_alter_table('plan_principle', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_principle_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_principle_tenant_plan', ['tenant_id', 'plan_id'], unique=False)

    if 'plan_signatory' not in existing:
        op.create_table('plan_signatory',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('drawn_up_by', 'chair_of_session', 'secretary_general', name='signatoryrole', native_enum=False, length=30), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('function', sa.String(length=200), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_signatory_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_signatory_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_signatory')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_signatory_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'plan_id', 'role', name=op.f('uq_plan_signatory_tenant_id_plan_id_role'))
        )
        with op.batch_alter_table('plan_signatory', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_signatory_tenant_id'), ['tenant_id'], unique=False)

    if 'plan_specific_objective' not in existing:
        op.create_table('plan_specific_objective',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_specific_objective_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_specific_objective_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_specific_objective')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_specific_objective_tenant_id_id'))
        )
        with op.batch_alter_table('plan_specific_objective', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_specific_objective_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_specific_objective_tenant_plan', ['tenant_id', 'plan_id'], unique=False)

    if 'plan_transition' not in existing:
        op.create_table('plan_transition',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('from_status', sa.Enum('draft', 'submitted', 'endorsed', 'approved', 'in_implementation', 'evaluated', name='planstatus', native_enum=False, length=30), nullable=False),
        sa.Column('to_status', sa.Enum('draft', 'submitted', 'endorsed', 'approved', 'in_implementation', 'evaluated', name='planstatus', native_enum=False, length=30), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('by_user_id', sa.Integer(), nullable=True),
        sa.Column('aviz_number', sa.String(length=50), nullable=True),
        sa.Column('aviz_date', sa.Date(), nullable=True),
        sa.Column('members_present', sa.JSON(), nullable=True),
        sa.Column('hcl_number', sa.String(length=50), nullable=True),
        sa.Column('hcl_date', sa.Date(), nullable=True),
        sa.Column('referat_number', sa.String(length=50), nullable=True),
        sa.Column('referat_date', sa.Date(), nullable=True),
        sa.Column('raport_number', sa.String(length=50), nullable=True),
        sa.Column('raport_date', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['by_user_id'], ['user_account.id'], name=op.f('fk_plan_transition_by_user_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_transition_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_transition_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_transition')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_transition_tenant_id_id'))
        )
        with op.batch_alter_table('plan_transition', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_transition_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_transition_tenant_plan', ['tenant_id', 'plan_id', 'to_status'], unique=False)

    if 'plan_activity' not in existing:
        op.create_table('plan_activity',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('objective_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('schedule_months', sa.JSON(), nullable=False),
        sa.Column('budget_estimate', Money(precision=14, scale=2), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'objective_id'], ['plan_objective.tenant_id', 'plan_objective.id'], name=op.f('fk_plan_activity_tenant_id_objective_id_plan_objective'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_activity_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_activity_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_activity')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_activity_tenant_id_id'))
        )
        with op.batch_alter_table('plan_activity', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_activity_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_activity_tenant_objective', ['tenant_id', 'objective_id'], unique=False)
            batch_op.create_index('ix_plan_activity_tenant_plan', ['tenant_id', 'plan_id'], unique=False)

    if 'plan_document' not in existing:
        op.create_table('plan_document',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.Enum('draft', 'submitted', 'endorsed', 'approved', 'in_implementation', 'evaluated', name='planstatus', native_enum=False, length=30), nullable=False),
        sa.Column('transition_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('mimetype', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_path', sa.String(length=500), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_document_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'transition_id'], ['plan_transition.tenant_id', 'plan_transition.id'], name=op.f('fk_plan_document_tenant_id_transition_id_plan_transition')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_document_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_plan_document_uploaded_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_document')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_document_tenant_id_id'))
        )
        with op.batch_alter_table('plan_document', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_document_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_document_tenant_plan', ['tenant_id', 'plan_id'], unique=False)

    if 'plan_indicator' not in existing:
        op.create_table('plan_indicator',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('label', sa.String(length=500), nullable=False),
        sa.Column('unit', sa.String(length=40), nullable=False),
        sa.Column('target', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('baseline', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('code', sa.String(length=60), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('target IS NULL OR target >= 0', name=op.f('ck_plan_indicator_target_positive')),
        sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['plan_activity.tenant_id', 'plan_activity.id'], name=op.f('fk_plan_indicator_tenant_id_activity_id_plan_activity'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_indicator_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_indicator_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicator')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_indicator_tenant_id_id'))
        )
        with op.batch_alter_table('plan_indicator', schema=None) as batch_op:
            batch_op.create_index('ix_plan_indicator_tenant_activity', ['tenant_id', 'activity_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_plan_indicator_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_indicator_tenant_plan_code', ['tenant_id', 'plan_id', 'code'], unique=False)

    if 'plan_responsible' not in existing:
        op.create_table('plan_responsible',
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['plan_activity.tenant_id', 'plan_activity.id'], name=op.f('fk_plan_responsible_tenant_id_activity_id_plan_activity'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_responsible_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_responsible')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_responsible_tenant_id_id'))
        )
        with op.batch_alter_table('plan_responsible', schema=None) as batch_op:
            batch_op.create_index('ix_plan_responsible_tenant_activity', ['tenant_id', 'activity_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_plan_responsible_tenant_id'), ['tenant_id'], unique=False)

    if 'plan_indicator_value' not in existing:
        op.create_table('plan_indicator_value',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.SmallInteger(), nullable=False),
        sa.Column('quarter', sa.SmallInteger(), nullable=True),
        sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('superseded', sa.Boolean(), nullable=False),
        sa.Column('superseded_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.CheckConstraint('quarter IS NULL OR quarter BETWEEN 1 AND 4', name=op.f('ck_plan_indicator_value_quarter_range')),
        sa.CheckConstraint('value >= 0', name=op.f('ck_plan_indicator_value_value_positive')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_plan_indicator_value_recorded_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'indicator_id'], ['plan_indicator.tenant_id', 'plan_indicator.id'], name=op.f('fk_plan_indicator_value_tenant_id_indicator_id_plan_indicator'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['plan_plan.tenant_id', 'plan_plan.id'], name=op.f('fk_plan_indicator_value_tenant_id_plan_id_plan_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_indicator_value_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicator_value')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_plan_indicator_value_tenant_id_id'))
        )
        with op.batch_alter_table('plan_indicator_value', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_plan_indicator_value_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index('ix_plan_indicator_value_tenant_indicator', ['tenant_id', 'indicator_id', 'year', 'quarter'], unique=False)
            batch_op.create_index('ix_plan_indicator_value_tenant_plan', ['tenant_id', 'plan_id', 'year'], unique=False)

        # one live value per indicator and period (autogenerate cannot see expression indexes)
        op.create_index(
            'uq_plan_indicator_value_live',
            'plan_indicator_value',
            ['tenant_id', 'indicator_id', 'year', sa.text('coalesce(quarter, 0)')],
            unique=True,
            sqlite_where=sa.text('NOT superseded'),
            postgresql_where=sa.text('NOT superseded'),
        )


def downgrade():
    op.drop_table('plan_indicator_value')
    op.drop_table('plan_responsible')
    op.drop_table('plan_indicator')
    op.drop_table('plan_document')
    op.drop_table('plan_activity')
    op.drop_table('plan_transition')
    op.drop_table('plan_specific_objective')
    op.drop_table('plan_signatory')
    op.drop_table('plan_principle')
    op.drop_table('plan_objective')
    op.drop_table('plan_evaluation')
    op.drop_table('plan_template')
    op.drop_table('plan_plan')
