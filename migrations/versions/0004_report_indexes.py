"""indexes the performance pack reads a child's AA times and texts from

Without them PostgreSQL joins a fortnight's detentions to every AA request and every text by
scanning both tables (hundreds of milliseconds at 500,000 detentions); with them each child is
an index-only lookup.

Revision ID: 0004_report_indexes
Revises: 0002_alerts
Create Date: 2026-11-28 04:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_report_indexes'
down_revision = '0002_alerts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('aa_requests', schema=None) as batch_op:
        batch_op.create_index('ix_aa_requests_detention_times', ['detention_id', 'arrived_at', 'requested_at'],
                              unique=False)
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_detention_times',
                              ['detention_id', 'sent_at', 'acknowledged_at', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_detention_times')
    with op.batch_alter_table('aa_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_aa_requests_detention_times')
