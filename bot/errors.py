"""Every error cassbot raises, in one tree whose branches carry the policy for handling it.

    CassbotError
    ├── SenderFault       the mail is at fault: recorded, listed for a person; never retried
    │   └── UnreadableAttachment
    ├── Fault             ours or a server's: logged; retried later when `transient`
    │   ├── MailboxError  a mailbox could not be read or written this time (transient)
    │   │   └── MessageGone
    │   ├── SendFailed    the SMTP server could not take a mail this time (transient)
    │   └── IllegalTransition   a request asked to move where its lifecycle does not go (a bug)
    ├── OperatorMustAct   only a person can fix it: the command stops with a clear line
    │   ├── ConfigError   the configuration (or a secret it names) cannot be used: exit 2
    │   └── MailboxAuthError    a mailbox refused the bot's credentials: exit 3
    └── Refused           a guard said no: audited, never retried, nothing was done
        ├── DraftRefused  a draft that would break a guard
        └── SendRefused   a mail to someone who is not on the staff list

Adapters translate library exceptions at the edge and keep the cause (`raise ... from exc`).
"""

from __future__ import annotations

from enum import IntEnum


class CassbotError(Exception):
    """The root: anything cassbot raises on purpose."""


class SenderFault(CassbotError):
    """The mail itself cannot be used as it is; a person looks at it."""


class UnreadableAttachment(SenderFault):
    """An attachment the bot was asked to read (a consent form) could not be read."""


class Fault(CassbotError):
    """Our fault or a server's. `transient` faults are tried again at the next poll or tick."""

    transient = False


class MailboxError(Fault):
    """A mailbox could not be read or written this time; the poll is tried again later."""

    transient = True


class MessageGone(MailboxError):
    """The message is no longer where the poll found it: a person moved or deleted it since."""

    transient = False

    def __init__(self, role: str, key: str, folder: str) -> None:
        super().__init__(f"{role}: message {key} is no longer in {folder!r} (moved or deleted since the poll)")


class SendFailed(Fault):
    """The SMTP server could not be reached or refused the mail: it can be tried again."""

    transient = True


class IllegalTransition(Fault):
    """A request was asked to move where its lifecycle does not go: a bug, never papered over."""


class OperatorMustAct(CassbotError):
    """Only a person can fix this (a setting, a secret, a password); retrying cannot help."""


class ConfigError(OperatorMustAct):
    """The configuration cannot be used; the message names the file and key (or the variable)."""


class MailboxAuthError(OperatorMustAct):
    """The server refused the bot's credentials: retrying cannot help; a person must act."""


class Refused(CassbotError):
    """A guard refused an action: it was not done, it is audited, and it is not retried."""


class DraftRefused(Refused):
    """A draft that would break a guard; the reason is written for a person."""


class SendRefused(Refused):
    """A recipient that is not a configured staff address: nothing was sent."""


class Exit(IntEnum):
    """Every `cassbot` command's exit codes (docs/operations.md lists them per command)."""

    OK = 0
    FAILED = 1  # something that had to happen did not: a mailbox not read, a digest not sent, the store unusable
    USAGE = 2  # the command line or the configuration (or a secret it names) cannot be used
    AUTH = 3  # a mailbox refused the bot's credentials: a person must act
