"""mail_seen: flagging and filing still to do in the mailbox

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mail_seen') as batch:
        batch.add_column(sa.Column('to_flag', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('to_file', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('mail_seen') as batch:
        batch.drop_column('to_file')
        batch.drop_column('to_flag')
