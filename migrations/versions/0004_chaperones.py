"""chaperones; escalations about other subjects

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 20:24:47.143523
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('volunteer_profiles',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sites', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('professions', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('windows', sa.JSON(), nullable=False),
    sa.Column('unavailable', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_volunteer_profiles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_volunteer_profiles'))
    )
    op.create_table('chaperone_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('setting', sa.String(length=16), nullable=False),
    sa.Column('site', sa.String(length=120), nullable=True),
    sa.Column('room', sa.String(length=120), nullable=True),
    sa.Column('join_link_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('note_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('chaperone_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('widened', sa.Boolean(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chaperone_id'], ['people.id'], name=op.f('fk_chaperone_requests_chaperone_id_people')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_chaperone_requests_escalation_id_escalations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_chaperone_requests_report_id_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_chaperone_requests_requester_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chaperone_requests'))
    )
    with op.batch_alter_table('chaperone_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chaperone_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_chaperone_requests_starts', ['status', 'starts_at'], unique=False)

    op.create_table('chaperone_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('notification_key', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['chaperone_requests.id'], name=op.f('fk_chaperone_offers_request_id_chaperone_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['people.id'], name=op.f('fk_chaperone_offers_volunteer_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chaperone_offers')),
    sa.UniqueConstraint('request_id', 'volunteer_id', name=op.f('uq_chaperone_offers_request_id'))
    )
    with op.batch_alter_table('chaperone_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chaperone_offers_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chaperone_offers_volunteer_id'), ['volunteer_id'], unique=False)

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.String(length=300), nullable=True))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sites', sa.JSON(), nullable=True))

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chaperone_policy', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('chaperone_policy')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('sites')

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('summary')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')

    with op.batch_alter_table('chaperone_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chaperone_offers_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_chaperone_offers_request_id'))

    op.drop_table('chaperone_offers')
    with op.batch_alter_table('chaperone_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_chaperone_requests_starts')
        batch_op.drop_index(batch_op.f('ix_chaperone_requests_requester_id'))

    op.drop_table('chaperone_requests')
    op.drop_table('volunteer_profiles')
