"""initial schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_request_id'), ['request_id'], unique=False)

    op.create_table('needs_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('mailbox', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('needs_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_person_request_id'), ['request_id'], unique=False)

    op.create_table('request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('mailbox', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('requester_address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('requester_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('applicant', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('household_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rao', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decision_due', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_state'), ['state'], unique=False)

    op.create_table('sync_position',
    sa.Column('mailbox', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('folder', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('mailbox', 'folder')
    )
    op.create_table('check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('team', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('draft_message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sent_message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answer_message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('known_to_lado', sa.Boolean(), nullable=True),
    sa.Column('af_sensitive_reason', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_sent_message_id'), ['sent_message_id'], unique=False)

    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('mailbox', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('in_reply_to', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('references', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('context_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('saved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('backend_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_request_id'), ['request_id'], unique=False)

    op.create_table('mail_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('folder', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('backend_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('processed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mailbox', 'folder', 'message_id', name='uq_mail_seen_message')
    )
    with op.batch_alter_table('mail_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_seen_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_seen_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mail_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_seen_request_id'))
        batch_op.drop_index(batch_op.f('ix_mail_seen_message_id'))

    op.drop_table('mail_seen')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_request_id'))

    op.drop_table('draft')
    with op.batch_alter_table('check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_sent_message_id'))
        batch_op.drop_index(batch_op.f('ix_check_request_id'))

    op.drop_table('check')
    op.drop_table('sync_position')
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_state'))
        batch_op.drop_index(batch_op.f('ix_request_reference'))
        batch_op.drop_index(batch_op.f('ix_request_received_at'))

    op.drop_table('request')
    with op.batch_alter_table('needs_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_person_request_id'))

    op.drop_table('needs_person')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_request_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
