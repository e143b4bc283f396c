"""mailbox_health.abilities_json: what the bot could do in each mailbox on its last poll (read, file, flag, save
drafts), and for what it could not, the error and the permission it needs

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox_health') as batch:
        batch.add_column(sa.Column('abilities_json', sa.String(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('mailbox_health') as batch:
        batch.drop_column('abilities_json')
