"""request: the facts read from the request mail, each with the words it came from

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('request') as batch:
        batch.add_column(sa.Column('facts_json', sa.String(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('request') as batch:
        batch.drop_column('facts_json')
