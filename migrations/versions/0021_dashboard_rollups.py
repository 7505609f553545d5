"""report change counters per day (bot.machinery.storage.report_changes) and the console
dashboard's per-period roll-ups of reports (bot.features.console.rollup); organisation.membership_version

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 09:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table('report_changes',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_report_changes'))
    )
    op.create_table('dashboard_rollup_periods',
    sa.Column('unit', sa.String(length=5), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('org_version', sa.Integer(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit', 'period', name=op.f('pk_dashboard_rollup_periods'))
    )
    op.create_table('dashboard_rollup_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=5), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('tallies', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_rollup_cells'))
    )
    with op.batch_alter_table('dashboard_rollup_cells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_rollup_cells_unit_period'), ['unit', 'period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_rollup_cells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_rollup_cells_unit_period'))
    op.drop_table('dashboard_rollup_cells')
    op.drop_table('dashboard_rollup_periods')
    op.drop_table('report_changes')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('membership_version')
