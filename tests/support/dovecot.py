"""A real Dovecot IMAP server on 127.0.0.1 for the tests and benchmarks, stopped by its PID.

Its configuration is written into its own folder: its own base_dir, a free port,
passwd-file users for the three shared mailboxes, Maildir storage, and Drafts and
Sent created with SPECIAL-USE. Facts from trying it (Dovecot 2.3, Debian 12):
as root, Dovecot refuses uid 0 for mail, so the mail users are nobody (65534)
and own the mail folder; the folder must be readable by the unprivileged auth
process (0755); started in its own process group, it stops in milliseconds when
the group gets SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bot.teams import mailbox_roles

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# A login for each mailbox role of the check teams' table (`bot.teams`): a team added there gets its own.
USERS = {role: f"{role}-secret" for role in mailbox_roles()}


def available() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """One Dovecot instance in `root`; `start()` and `stop()` may be called again and again."""

    def __init__(self, port: int | None = None, read_only_over: Dovecot | None = None) -> None:
        """`read_only_over`: a second server over another's mail, whose users may only look (the ACL plugin
        gives each owner lookup and read rights, nothing else) and which keeps its indexes in memory. All it
        writes beside the mail is the ACL plugin's list of mailboxes (dovecot-acl-list)."""
        # Not under pytest's tmp_path: its parents are 0700 and the auth process
        # (running as the dovecot user) must reach the users file.
        self.root = Path(tempfile.mkdtemp(prefix="cassbot-dovecot-"))
        self.port = port or free_port()
        self.read_only_over = read_only_over
        self.process: subprocess.Popen[bytes] | None = None
        self._write_config()

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def mail(self) -> Path:
        return (self.read_only_over.root if self.read_only_over else self.root) / "mail"

    def _write_config(self) -> None:
        os.chmod(self.root, 0o755)
        mail = self.mail
        mail.mkdir(exist_ok=True)
        os.chmod(mail, 0o755)
        uid = 65534 if os.geteuid() == 0 else os.geteuid()
        gid = 65534 if os.geteuid() == 0 else os.getegid()
        if os.geteuid() == 0:
            os.chown(mail, uid, gid)
        users = "".join(f"{name}:{{PLAIN}}{secret}:{uid}:{gid}::{mail}/{name}::\n" for name, secret in USERS.items())
        (self.root / "users").write_text(users)
        os.chmod(self.root / "users", 0o644)  # read by Dovecot's auth process, whatever umask the tests left
        unprivileged = "" if os.geteuid() == 0 else "\n".join([
            f"default_login_user = {os.environ.get('USER', 'nobody')}",
            f"default_internal_user = {os.environ.get('USER', 'nobody')}",
            "service anvil {\n  chroot =\n}",
        ])
        read_only = ""
        if self.read_only_over:
            (self.root / "global-acl").write_text("* owner lr\n")
            os.chmod(self.root / "global-acl", 0o644)
            read_only = ("mail_plugins = $mail_plugins acl\n"
                         "protocol imap {\n  mail_plugins = $mail_plugins imap_acl\n}\n"
                         f"plugin {{\n  acl = vfile:{self.root}/global-acl\n}}\n")
        self.config.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
# Tests fail logins on purpose; the default 2 s delay (and its growing penalty) only slows them.
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.root}/users
}}
first_valid_uid = {min(uid, 500)}
mail_location = maildir:~{":INDEX=MEMORY" if self.read_only_over else ""}
{read_only}namespace inbox {{
  inbox = yes
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{"  chroot =" if os.geteuid() != 0 else ""}
}}
{unprivileged}
""")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError as exc:
                if self.process.poll() is not None:
                    error = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise RuntimeError(f"dovecot exited: {error}") from exc
                time.sleep(0.02)
        raise RuntimeError(f"dovecot did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
