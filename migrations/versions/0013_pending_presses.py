"""pending_presses: commands and button presses acknowledged but not yet carried out

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_presses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_presses'))
    )
    with op.batch_alter_table('pending_presses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_presses_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pending_presses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_presses_received_at'))
    op.drop_table('pending_presses')
