"""checks keep their team's answer as data; mailbox health and alerts as typed columns

- check: the LADO- and A&F-only columns (known_to_lado, af_sensitive_reason) become one
  answer_json, read by whichever team the check belongs to;
- mailbox_health: login_refused, instead of a "login refused" prefix on last_error;
- alert_sent: mailbox, instead of a "<mailbox> since ..." prefix on subject_key.

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_LADO = {True: "someone is known to LADO", False: "no one is known to LADO",
         None: "cassbot could not tell from LADO's answer whether anyone is known"}
_WITHDREW = "A&F gave health or financial reasons: the response says only that the applicant withdrew"


def _answer(team: str, known: object, sensitive: object) -> str:
    if team == "lado":
        known = None if known is None else bool(known)
        notes = [_LADO[None]] if known is None else []
        return json.dumps({"summary": _LADO[known], "response": {"lado_known": known}, "notes": notes})
    summary = _WITHDREW if sensitive else "CHARMS summary received"
    return json.dumps({"summary": summary, "response": {"charms_checked": True,
                                                        "af_withdrew_sensitive": bool(sensitive)}, "notes": []})


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('check') as batch:
        batch.add_column(sa.Column('answer_json', sa.String(), nullable=False, server_default='{}'))
    rows = bind.execute(sa.text(
        "SELECT id, team, known_to_lado, af_sensitive_reason FROM \"check\" WHERE state = 'answered'")).all()
    for row in rows:
        bind.execute(sa.text("UPDATE \"check\" SET answer_json = :answer WHERE id = :id"),
                     {"answer": _answer(row.team, row.known_to_lado, row.af_sensitive_reason), "id": row.id})
    with op.batch_alter_table('check') as batch:
        batch.drop_column('known_to_lado')
        batch.drop_column('af_sensitive_reason')

    with op.batch_alter_table('mailbox_health') as batch:
        batch.add_column(sa.Column('login_refused', sa.Boolean(), nullable=False, server_default=sa.false()))
    bind.execute(sa.text("UPDATE mailbox_health SET login_refused = :yes WHERE last_error LIKE 'login refused%'"),
                 {"yes": True})

    with op.batch_alter_table('alert_sent') as batch:
        batch.add_column(sa.Column('mailbox', sa.String(), nullable=False, server_default=''))
        batch.create_index('ix_alert_sent_mailbox', ['mailbox'])
    for kind, word in (("mailbox down", " since "), ("mailbox back", " at ")):
        for row in bind.execute(sa.text("SELECT id, subject_key FROM alert_sent WHERE kind = :kind"),
                                {"kind": kind}).all():
            bind.execute(sa.text("UPDATE alert_sent SET mailbox = :mailbox WHERE id = :id"),
                         {"mailbox": row.subject_key.split(word)[0], "id": row.id})


def downgrade() -> None:
    with op.batch_alter_table('alert_sent') as batch:
        batch.drop_index('ix_alert_sent_mailbox')
        batch.drop_column('mailbox')
    with op.batch_alter_table('mailbox_health') as batch:
        batch.drop_column('login_refused')
    with op.batch_alter_table('check') as batch:
        batch.add_column(sa.Column('known_to_lado', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('af_sensitive_reason', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_column('answer_json')
