"""what a manager resolving an escalation chose to tell the reporter (sealed); drafts of half-filled forms (sealed)

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-06 06:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_note_sealed', sa.LargeBinary(), nullable=True))
    op.create_table(
        'form_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.String(length=64), nullable=False),
        sa.Column('values_sealed', sa.LargeBinary(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'form_id'),
    )
    op.create_index(op.f('ix_form_drafts_updated_at'), 'form_drafts', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_form_drafts_updated_at'), table_name='form_drafts')
    op.drop_table('form_drafts')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('reporter_note_sealed')
