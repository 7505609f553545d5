"""referrals and referral offers; team referral policies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 20:26:33.532390
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=True),
    sa.Column('receiving_team_id', sa.Integer(), nullable=True),
    sa.Column('note_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_by', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_reason_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_id', sa.Integer(), nullable=True),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_told_by', sa.Integer(), nullable=True),
    sa.Column('client_told_how', sa.String(length=16), nullable=True),
    sa.Column('summary_handed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary_handed_by', sa.Integer(), nullable=True),
    sa.Column('appointment_booked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_booked_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by'], ['people.id'], name=op.f('fk_referrals_accepted_by_people')),
    sa.ForeignKeyConstraint(['appointment_booked_by'], ['people.id'], name=op.f('fk_referrals_appointment_booked_by_people')),
    sa.ForeignKeyConstraint(['approved_by'], ['people.id'], name=op.f('fk_referrals_approved_by_people')),
    sa.ForeignKeyConstraint(['client_told_by'], ['people.id'], name=op.f('fk_referrals_client_told_by_people')),
    sa.ForeignKeyConstraint(['closed_by'], ['people.id'], name=op.f('fk_referrals_closed_by_people')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_referrals_escalation_id_escalations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['receiver_id'], ['people.id'], name=op.f('fk_referrals_receiver_id_people')),
    sa.ForeignKeyConstraint(['receiving_team_id'], ['teams.id'], name=op.f('fk_referrals_receiving_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referrer_id'], ['people.id'], name=op.f('fk_referrals_referrer_id_people')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_referrals_report_id_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['returned_by'], ['people.id'], name=op.f('fk_referrals_returned_by_people')),
    sa.ForeignKeyConstraint(['summary_handed_by'], ['people.id'], name=op.f('fk_referrals_summary_handed_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_referrer_id'), ['referrer_id'], unique=False)
        batch_op.create_index('ix_referrals_status', ['status'], unique=False)

    op.create_table('referral_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('notification_key', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decline_reason_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_referral_offers_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_offers_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_offers')),
    sa.UniqueConstraint('referral_id', 'person_id', 'role', 'round', name=op.f('uq_referral_offers_referral_id'))
    )
    with op.batch_alter_table('referral_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_offers_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_offers_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_policy', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('referral_policy')

    with op.batch_alter_table('referral_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_offers_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referral_offers_person_id'))

    op.drop_table('referral_offers')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_status')
        batch_op.drop_index(batch_op.f('ix_referrals_referrer_id'))

    op.drop_table('referrals')
