"""mail_seen: a digest of each mail's content, so a different mail reusing a Message-ID is not taken for it

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mail_seen') as batch:
        batch.add_column(sa.Column('digest', sa.String(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('mail_seen') as batch:
        batch.drop_column('digest')
