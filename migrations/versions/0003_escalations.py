"""escalations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 20:14:27.365632
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('next_action_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution_sealed', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['people.id'], name=op.f('fk_escalations_acknowledged_by_people')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_escalations_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['people.id'], name=op.f('fk_escalations_reporter_id_people')),
    sa.ForeignKeyConstraint(['resolved_by'], ['people.id'], name=op.f('fk_escalations_resolved_by_people')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_escalations_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_next_action_at'), ['next_action_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_reporter_id'), ['reporter_id'], unique=False)

    op.create_table('escalation_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('notification_key', sa.String(length=255), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_notices_escalation_id_escalations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_escalation_notices_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_notices')),
    sa.UniqueConstraint('notification_key', name=op.f('uq_escalation_notices_notification_key'))
    )
    with op.batch_alter_table('escalation_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_notices_escalation_id'), ['escalation_id'], unique=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_policy', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('escalation_policy')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('confidential')

    with op.batch_alter_table('escalation_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_notices_escalation_id'))

    op.drop_table('escalation_notices')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_report_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_next_action_at'))

    op.drop_table('escalations')
