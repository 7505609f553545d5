"""trusted identities: the workspaces and tenants an organisation accepts, how each identity
was linked, and accounts held back because two claimed the same email

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 06:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platforms', sa.JSON(), nullable=True))
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked_by', sa.String(length=16), nullable=True))
    op.create_table(
        'identity_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('workspace', sa.String(length=128), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_identity_claims_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_claims')),
        sa.UniqueConstraint('platform', 'workspace', 'user_id', name=op.f('uq_identity_claims_platform')),
    )
    with op.batch_alter_table('identity_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_claims_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identity_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_claims_person_id'))
    op.drop_table('identity_claims')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_column('linked_by')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('platforms')
