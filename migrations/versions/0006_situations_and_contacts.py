"""report situations (sexual act, client's condition, other person); organisation region,
safety contacts and the reviewed-scripts-only option

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reports') as batch:
        batch.add_column(sa.Column('act', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('condition', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('other_person', sa.String(length=16), nullable=True))
    with op.batch_alter_table('organisation') as batch:
        batch.add_column(sa.Column('region', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('contacts', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('reviewed_scripts_only', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('organisation') as batch:
        batch.drop_column('reviewed_scripts_only')
        batch.drop_column('contacts')
        batch.drop_column('region')
    with op.batch_alter_table('reports') as batch:
        batch.drop_column('other_person')
        batch.drop_column('condition')
        batch.drop_column('act')
