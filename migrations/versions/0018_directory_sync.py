"""directory sync: people and teams provisioned by SCIM or `org sync` (source, external id,
what the directory last said)

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-06 06:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='file', nullable=False))
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('directory_username', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('directory_active', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('directory_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('directory_record_sealed', sa.LargeBinary(), nullable=True))
        batch_op.create_unique_constraint('uq_people_external_id', ['external_id'])
        batch_op.create_index('ix_people_directory_username', ['directory_username'], unique=False)
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='file', nullable=False))
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('directory_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('directory_record_sealed', sa.LargeBinary(), nullable=True))
        batch_op.create_unique_constraint('uq_teams_external_id', ['external_id'])


def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_constraint('uq_teams_external_id', type_='unique')
        batch_op.drop_column('directory_record_sealed')
        batch_op.drop_column('directory_changed_at')
        batch_op.drop_column('external_id')
        batch_op.drop_column('source')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_directory_username')
        batch_op.drop_constraint('uq_people_external_id', type_='unique')
        batch_op.drop_column('directory_record_sealed')
        batch_op.drop_column('directory_changed_at')
        batch_op.drop_column('directory_active')
        batch_op.drop_column('directory_username')
        batch_op.drop_column('external_id')
        batch_op.drop_column('source')
