"""request.decision_due: empty for a kind the configuration puts no decision clock on

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('request') as batch:
        batch.alter_column('decision_due', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)


def downgrade() -> None:
    op.execute(sa.text("UPDATE request SET decision_due = received_at WHERE decision_due IS NULL"))
    with op.batch_alter_table('request') as batch:
        batch.alter_column('decision_due', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)
