"""peer support; away periods and standing deputies; working hours; referral withdrawal, questions and approval deadlines; snooze

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-06 03:03:05.066280
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('away_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['people.id'], name=op.f('fk_away_periods_deputy_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_away_periods_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by'], ['people.id'], name=op.f('fk_away_periods_set_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_away_periods'))
    )
    with op.batch_alter_table('away_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_away_periods_person_id'), ['person_id'], unique=False)

    op.create_table('peer_supporters',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_keys', sa.JSON(), nullable=False),
    sa.Column('sites', sa.JSON(), nullable=False),
    sa.Column('windows', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_peer_supporters_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_peer_supporters'))
    )
    op.create_table('standing_deputies',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['people.id'], name=op.f('fk_standing_deputies_deputy_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_standing_deputies_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_standing_deputies'))
    )
    op.create_table('support_check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_support_check_ins_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_check_ins'))
    )
    with op.batch_alter_table('support_check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_check_ins_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_check_ins_person_id'), ['person_id'], unique=False)

    op.create_table('support_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('soon', sa.String(length=16), nullable=False),
    sa.Column('site', sa.String(length=120), nullable=True),
    sa.Column('phone_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('shared_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('kind_shared', sa.String(length=32), nullable=True),
    sa.Column('supporter_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('widened', sa.Boolean(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_support_requests_requester_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['people.id'], name=op.f('fk_support_requests_supporter_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_requests'))
    )
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_requests_requester_id'), ['requester_id'], unique=False)

    op.create_table('support_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('notification_key', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_support_offers_request_id_support_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['people.id'], name=op.f('fk_support_offers_supporter_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_offers')),
    sa.UniqueConstraint('request_id', 'supporter_id', name=op.f('uq_support_offers_request_id'))
    )
    with op.batch_alter_table('support_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_offers_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_offers_supporter_id'), ['supporter_id'], unique=False)

    op.create_table('referral_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('asked_by', sa.Integer(), nullable=False),
    sa.Column('question_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asked_by'], ['people.id'], name=op.f('fk_referral_questions_asked_by_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_questions_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_questions'))
    )
    with op.batch_alter_table('referral_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_questions_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('escalation_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_escalation_notices_on_behalf_of_people'), 'people', ['on_behalf_of'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('snoozes', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('peer_support', sa.JSON(), nullable=True))

    with op.batch_alter_table('referral_offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozes', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_hours', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('working_hours')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('referral_offers', schema=None) as batch_op:
        batch_op.drop_column('snoozes')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('peer_support')

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('snoozes')
        batch_op.drop_column('urgent')

    with op.batch_alter_table('escalation_notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_escalation_notices_on_behalf_of_people'), type_='foreignkey')
        batch_op.drop_column('on_behalf_of')

    with op.batch_alter_table('referral_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_questions_referral_id'))

    op.drop_table('referral_questions')
    with op.batch_alter_table('support_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_offers_supporter_id'))
        batch_op.drop_index(batch_op.f('ix_support_offers_request_id'))

    op.drop_table('support_offers')
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_support_requests_created_at'))

    op.drop_table('support_requests')
    with op.batch_alter_table('support_check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_check_ins_person_id'))
        batch_op.drop_index(batch_op.f('ix_support_check_ins_created_at'))

    op.drop_table('support_check_ins')
    op.drop_table('standing_deputies')
    op.drop_table('peer_supporters')
    with op.batch_alter_table('away_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_away_periods_person_id'))

    op.drop_table('away_periods')
