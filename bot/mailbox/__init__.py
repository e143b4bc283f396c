"""Mailbox backends behind one small interface (`bot.mailbox.base.Mailbox`)."""
