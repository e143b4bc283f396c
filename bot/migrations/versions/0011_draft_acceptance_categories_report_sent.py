"""draft: what the bot drafted as a fingerprint, and how much of it was sent; mail_seen: the Outlook category still
to set; report_sent: the monthly report that went out

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('draft') as batch:
        batch.add_column(sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('changed', sa.Float(), nullable=True))
        batch.add_column(sa.Column('edit', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch.add_column(sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('mail_seen') as batch:
        batch.add_column(sa.Column('to_categorise', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default=''))
    op.create_table(
        'report_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'recipient', name='uq_report_sent'),
    )


def downgrade() -> None:
    op.drop_table('report_sent')
    with op.batch_alter_table('mail_seen') as batch:
        batch.drop_column('to_categorise')
    with op.batch_alter_table('draft') as batch:
        batch.drop_column('deleted_at')
        batch.drop_column('edit')
        batch.drop_column('changed')
        batch.drop_column('fingerprint')
