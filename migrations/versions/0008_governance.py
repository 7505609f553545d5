"""governance: the audit log as a signed hash chain, legal holds, count-only tallies,
client pattern fingerprints, and the organisation's retention settings

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""
import hashlib
from datetime import timezone

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _hash(org_id, seq, at, actor_id, action, subject_type, subject_id, prev_hash):
    # The chain's hash, exactly as bot.machinery.storage.audit_chain.entry_hash has it at
    # this revision (a migration must not change when the application code does).
    if isinstance(at, str):
        from datetime import datetime
        at = datetime.fromisoformat(at)
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
    def _id(value):
        return "" if value is None else str(value)

    content = "|".join(("v1", str(org_id), str(seq), at.isoformat(timespec="microseconds"), _id(actor_id), action,
                        subject_type, _id(subject_id), prev_hash))
    return hashlib.sha256(content.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('governance', sa.JSON(), nullable=True))

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_id', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mac_key', sa.String(length=16), nullable=True))

    op.create_table('audit_chain_heads',
    sa.Column('org_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('base_seq', sa.Integer(), nullable=False),
    sa.Column('base_hash', sa.String(length=64), nullable=False),
    sa.Column('legacy_seq', sa.Integer(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=True),
    sa.Column('mac_key', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_audit_chain_heads'))
    )

    # Entries written before this revision join the chain unsigned (no key here); the head
    # remembers how many, and everything after them must be signed.
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, at, actor_id, action, subject_type, subject_id FROM audit_log ORDER BY id")).all()
    prev = GENESIS
    for seq, (row_id, at, actor_id, action, subject_type, subject_id) in enumerate(rows, start=1):
        digest = _hash(1, seq, at, actor_id, action, subject_type, subject_id, prev)
        conn.execute(sa.text("UPDATE audit_log SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
                     {"seq": seq, "prev": prev, "hash": digest, "id": row_id})
        prev = digest
    if rows:
        conn.execute(sa.text(
            "INSERT INTO audit_chain_heads (org_id, seq, hash, base_seq, base_hash, legacy_seq) "
            "VALUES (1, :seq, :hash, 1, :genesis, :seq)"), {"seq": len(rows), "hash": prev, "genesis": GENESIS})

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_org_id'), ['org_id', 'seq'])

    op.create_table('audit_chain_checks',
    sa.Column('org_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('problem', sa.String(length=300), nullable=True),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('anchored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cursor_seq', sa.Integer(), nullable=True),
    sa.Column('cursor_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_audit_chain_checks'))
    )
    op.create_table('legal_holds',
    sa.Column('report_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('placed_by', sa.Integer(), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placed_by'], ['people.id'], name=op.f('fk_legal_holds_placed_by_people')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_legal_holds_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_legal_holds'))
    )
    op.create_table('report_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('setting', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_tallies')),
    sa.UniqueConstraint('month', 'team_id', 'category', 'step', 'setting', name=op.f('uq_report_tallies_month'))
    )
    op.create_table('client_patterns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_patterns')),
    sa.UniqueConstraint('digest', name=op.f('uq_client_patterns_digest'))
    )
    op.create_table('client_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('secret_id', sa.String(length=16), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_client_marks_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['people.id'], name=op.f('fk_client_marks_reporter_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_client_marks_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_marks')),
    sa.UniqueConstraint('report_id', name=op.f('uq_client_marks_report_id'))
    )
    with op.batch_alter_table('client_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_marks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_marks_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_marks_reporter_id'), ['reporter_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_marks_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_client_marks_digest'))
        batch_op.drop_index(batch_op.f('ix_client_marks_created_at'))
    op.drop_table('client_marks')
    op.drop_table('client_patterns')
    op.drop_table('report_tallies')
    op.drop_table('legal_holds')
    op.drop_table('audit_chain_checks')
    op.drop_table('audit_chain_heads')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_log_org_id'), type_='unique')
        batch_op.drop_column('mac_key')
        batch_op.drop_column('mac')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
        batch_op.drop_column('org_id')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('governance')
