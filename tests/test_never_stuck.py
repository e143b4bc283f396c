"""Never stuck, never twice: a run killed at any write leaves nothing the next run trips over or does twice.

The kill is real: `cassbot run --once` runs in a child process that dies with `os._exit` (no
cleanup, no `finally`, as under SIGKILL) just before its n-th file-system write (a rename, link
or unlink: a Maildir delivery's last step, a filing's two steps), for every n the run has.
The next `cassbot run --once` must exit 0 and leave the mailboxes as one uninterrupted run does. The same
on the test Dovecot over IMAP, the kill landing just after each write command reaches the server.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.errors import MessageGone
from bot.mailbox.base import Folder
from bot.mailbox.maildir import MaildirMailbox
from bot.teams import mailbox_roles
from tests.conftest import ROOT
from tests.support import ews_world, graph_world
from tests.support.dovecot import Dovecot
from tests.support.ews_server import EwsServer
from tests.support.graph_server import GraphServer
from tests.support.imap_world import World as ImapWorld
from tests.support.journey import Journey
from tests.support.site import deliver_demo_mail, site_config

MAIL = ("01-ola-request.eml", "02-urgent-kinship-request.eml")
# Runs one pass and dies just before the n-th write the file system sees (argv: config, n).
DYING_RUN = textwrap.dedent("""
    import os, sys
    left = [int(sys.argv[2])]
    def dying(real):
        def call(*args, **kwargs):
            left[0] -= 1
            if left[0] == 0:
                os._exit(137)
            return real(*args, **kwargs)
        return call
    for name in ("rename", "replace", "link", "unlink"):
        setattr(os, name, dying(getattr(os, name)))
    from bot.cli import main
    code = main(["run", "--once", "--config", sys.argv[1]])
    print("WRITES-LEFT", left[0], file=sys.stderr)
    sys.exit(code)
""")


def _dying_run(config: Path, n: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DYING_RUN, str(config), str(n)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def _mailboxes(root: Path) -> Counter[tuple[str, str, str]]:
    """What people see: (mailbox, folder, subject) of every mail, counted."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for role in mailbox_roles():
        box = MaildirMailbox(role, f"{role}@example.org", root / "maildir" / role)
        for folder in Folder:
            for stored in box.poll(folder, None).messages:
                seen[(role, folder.value, str(message_from_bytes(stored.raw)["Subject"]))] += 1
    return seen


def _site(tmp_path: Path) -> Path:
    config = site_config(tmp_path)
    deliver_demo_mail(tmp_path, *MAIL)
    return config


Seen = Counter[tuple[str, str, str]]


@dataclass
class Crashes:
    """One backend's crash test: how to set the mailbox up, run a pass that dies at the n-th write (in a child
    process), run an ordinary pass, and say what people see in the mailbox."""

    site: Callable[[Path], None]
    dying: Callable[[Path, int], subprocess.CompletedProcess[str]]
    again: Callable[[Path], None]
    seen: Callable[[Path], Seen]

    def whole(self, root: Path) -> tuple[Seen, int]:
        """What an uninterrupted pass leaves, and how many writes it made."""
        root.mkdir(parents=True)
        self.site(root)
        whole = self.dying(root, 10_000)
        assert whole.returncode == 0, whole.stderr[-2000:]
        seen = self.seen(root)
        assert all(n == 1 for n in seen.values()), seen
        return seen, 10_000 - int(whole.stderr.rsplit("WRITES-LEFT", 1)[1].split()[0])

    def killed_at_every_write(self, tmp_path: Path, expected: Seen, writes: int) -> None:
        for n in range(1, writes + 1):
            root = tmp_path / f"kill-{n}"
            root.mkdir()
            self.site(root)
            killed = self.dying(root, n)
            assert killed.returncode == 137, (n, killed.stderr[-2000:])

            self.again(root)
            self.again(root)  # and again: nothing more happens

            assert self.seen(root) == expected, n


def _maildir_site(root: Path) -> None:
    _site(root)


def _maildir_again(root: Path) -> None:
    assert main(["run", "--once", "--config", str(root / "site.toml")]) == 0


MAILDIR = Crashes(site=_maildir_site, dying=lambda root, n: _dying_run(root / "site.toml", n), again=_maildir_again,
                  seen=_mailboxes)


def test_a_run_killed_at_any_write_is_finished_by_the_next_run_once(tmp_path: Path) -> None:
    expected, writes = MAILDIR.whole(tmp_path / "whole")
    assert writes >= 4
    assert sum(n for (_, folder, _), n in expected.items() if folder == "information_requests") == 2
    assert sum(n for (_, folder, _), n in expected.items() if folder == "drafts") >= 2

    MAILDIR.killed_at_every_write(tmp_path, expected, writes)


def test_a_draft_write_a_kill_left_in_tmp_is_finished_not_stuck(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path / "cass")
    raw = b"Message-ID: <CASS-1.response.1@cassbot.example.org>\r\nSubject: Re: Child A\r\n\r\nThank you.\r\n"
    key = box.save_draft(raw, "<CASS-1.response.1@cassbot.example.org>")
    draft = next((tmp_path / "cass" / ".Drafts" / "cur").iterdir())
    draft.rename(tmp_path / "cass" / ".Drafts" / "tmp" / key)  # as the kill left it: written, never renamed
    (tmp_path / "cass" / ".Drafts" / "tmp" / key).write_bytes(raw[:20])  # or half written

    assert box.save_draft(raw, "<CASS-1.response.1@cassbot.example.org>") == key

    [stored] = box.poll(Folder.DRAFTS, None).messages
    assert stored.raw == raw and list((tmp_path / "cass" / ".Drafts" / "tmp").iterdir()) == []


def test_two_runs_filing_the_same_mail_leave_one_copy(tmp_path: Path) -> None:
    first, second = (MaildirMailbox("cass", "cass@example.org", tmp_path / "cass") for _ in range(2))
    first.deliver(Folder.INBOX, b"Subject: Information request\r\n\r\nPlease.\r\n")
    [mail] = first.poll(Folder.INBOX, None).messages
    [same] = second.poll(Folder.INBOX, None).messages
    target = tmp_path / "cass" / ".Information Requests" / "new"
    target.mkdir(parents=True)
    filed = "filed-" + hashlib.sha256(mail.key.encode()).hexdigest()[:40]  # the name filing gives it
    (target / filed).hardlink_to(next((tmp_path / "cass" / "new").iterdir()))  # one run linked, then died

    key = first.file_into(Folder.INFORMATION_REQUESTS, mail)
    with pytest.raises(MessageGone):  # the other run, a moment later: filed already, nothing more happens
        second.file_into(Folder.INFORMATION_REQUESTS, same)

    assert first.poll(Folder.INBOX, None).messages == []
    assert [m.key for m in first.poll(Folder.INFORMATION_REQUESTS, None).messages] == [filed] == [key]


def _holding(tmp_path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another run, holding the store as `cassbot run` does, for `seconds`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from bot.leases import single_run; from bot.store import "
         "open_store\nwith single_run(open_store(sys.argv[1])):\n    print('held', flush=True); "
         "time.sleep(float(sys.argv[2]))", f"sqlite:///{tmp_path}/cassbot.sqlite3", str(seconds)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_second_run_on_a_sqlite_store_waits_for_the_first_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _site(tmp_path)
    holder = _holding(tmp_path, 2)
    try:
        assert main(["run", "--once", "--config", str(config)]) == 0
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("cassbot: another cassbot run (process ") and "waiting for it to finish" in err[0], err
    assert sum(n for (_, folder, _), n in _mailboxes(tmp_path).items() if folder == "information_requests") == 2


def test_a_second_run_stops_with_one_line_when_the_first_holds_the_store_too_long(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.commands import run
    monkeypatch.setattr(run, "WAIT_FOR_STORE_SECONDS", 1.0)
    config = _site(tmp_path)
    holder = _holding(tmp_path, 60)
    try:
        assert main(["run", "--once", "--config", str(config)]) == 1
    finally:
        holder.kill()
        holder.wait()
    waited, stopped = capsys.readouterr().err.splitlines()
    assert "waiting for it to finish (at most 1 s)" in waited and "this one stops without touching it" in stopped
    assert _mailboxes(tmp_path)[("cass", "information_requests", "Information request - Ms Sarah Ahmed")] == 0
    assert main(["run", "--once", "--config", str(config)]) == 0  # the lock went with the process


# -- IMAP, on the test Dovecot: the kill lands just after each write command reaches the server (an APPEND's
# command line, its literal, a MOVE, a STORE), so the server may have done it while the bot never heard --

DYING_IMAP_RUN = textwrap.dedent("""
    import imaplib, os, sys, types
    from pathlib import Path
    left, after_append = [int(sys.argv[3])], [False]
    WRITES = (b" APPEND ", b" UID MOVE ", b" UID STORE ", b" MOVE ", b" UID COPY ", b" UID EXPUNGE ")
    real = imaplib.IMAP4.send
    def send(self, data):
        real(self, data)
        write = after_append[0] or any(w in data[:80] for w in WRITES)
        after_append[0] = b" APPEND " in data[:80]  # its literal goes next
        if write:
            left[0] -= 1
            if left[0] == 0:
                os._exit(137)
    imaplib.IMAP4.send = send
    from bot.config import load_settings
    from tests.support.journey import Journey
    Journey(load_settings(Path("config/cassbot.toml")), Path(sys.argv[2]),
            dovecot=types.SimpleNamespace(port=int(sys.argv[1]))).run()
    print("WRITES-LEFT", left[0], file=sys.stderr)
""")


def _imap_mailboxes(dovecot: Dovecot) -> Counter[tuple[str, str, str]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    for role in mailbox_roles():
        with ImapWorld(dovecot, role).client() as client:
            for folder in ("INBOX", "Drafts", "Sent", "Information Requests"):
                if not client.folder_exists(folder):
                    continue
                client.select_folder(folder, readonly=True)
                for data in client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]).values():
                    subject = message_from_bytes(data[b"BODY[HEADER.FIELDS (SUBJECT)]"])["Subject"]
                    seen[(role, folder, str(subject))] += 1
    return seen


def _imap_site(dovecot: Dovecot) -> None:
    for role in mailbox_roles():
        ImapWorld(dovecot, role).reset()
    for name in MAIL:
        ImapWorld(dovecot, "cass").deliver(Folder.INBOX, (ROOT / "demo" / "mail" / name).read_bytes())


def _dying_imap_run(dovecot: Dovecot, root: Path, n: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DYING_IMAP_RUN, str(dovecot.port), str(root), str(n)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def _imap_again(dovecot: Dovecot, settings: Settings, root: Path) -> None:
    Journey(settings, root, dovecot=dovecot).run()


def test_an_imap_run_killed_after_any_write_is_finished_by_the_next_run_once(
        dovecot: Dovecot, settings: Settings, tmp_path: Path) -> None:
    crashes = Crashes(site=lambda root: _imap_site(dovecot), dying=lambda root, n: _dying_imap_run(dovecot, root, n),
                      again=lambda root: _imap_again(dovecot, settings, root),
                      seen=lambda root: _imap_mailboxes(dovecot))
    expected, writes = crashes.whole(tmp_path / "whole")
    assert writes >= 6

    crashes.killed_at_every_write(tmp_path, expected, writes)


# -- Graph, on the test Graph: the kill lands just after each write (a POST, PATCH or DELETE) is answered, so
# Exchange has done it while the bot never heard: a draft created and not recorded, a mail moved and not noted --

DYING_GRAPH_RUN = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import httpx
    url, tenant, client_id, ca_file, root = sys.argv[1:6]
    left = [int(sys.argv[6])]
    real = httpx.Client.request
    def request(self, method, target, *args, **kwargs):
        answer = real(self, method, target, *args, **kwargs)
        if method in ("POST", "PATCH", "DELETE") and "/v1.0/" in str(target):
            left[0] -= 1
            if left[0] == 0:
                os._exit(137)
        return answer
    httpx.Client.request = request
    from bot.config import Graph, load_settings
    from bot.mailbox.graph import GraphMailbox
    from tests.support.graph_world import ADDRESS, SECRET_ENV
    from tests.support.journey import Journey
    graph = Graph.model_validate({"tenant_id": tenant, "client_id": client_id, "client_secret_env": SECRET_ENV,
                                  "base_url": f"{url}/v1.0", "authority_host": url})
    box = GraphMailbox("cass", ADDRESS, graph, ca_file=ca_file, instance_discovery=False, base_delay=0.01)
    Journey(load_settings(Path("config/cassbot.toml")), Path(root), mailboxes={"cass": box}).run()
    print("WRITES-LEFT", left[0], file=sys.stderr)
""")


def _graph_mailbox(server: GraphServer) -> Counter[tuple[str, str, str]]:
    """What Outlook shows: (folder, subject, categories) of every message, counted."""
    state = server.mailbox(graph_world.ADDRESS)
    with server.lock:
        names = {f.id: f.name for f in state.folders.values()}
        return Counter((names[m.folder], str(m.fields["subject"]), ",".join(m.categories))
                       for m in state.messages.values())


def _graph_site(server: GraphServer) -> None:
    server.reset(graph_world.ADDRESS)
    for name in MAIL:
        graph_world.World(server).deliver(Folder.INBOX, (ROOT / "demo" / "mail" / name).read_bytes())


def _dying_graph_run(server: GraphServer, root: Path, n: int) -> subprocess.CompletedProcess[str]:
    os.environ[graph_world.SECRET_ENV] = server.secret
    return subprocess.run([sys.executable, "-c", DYING_GRAPH_RUN, server.url, server.tenant, server.client_id,
                           str(server.ca_file), str(root), str(n)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def _graph_again(server: GraphServer, settings: Settings, root: Path) -> None:
    box = graph_world.bot_mailbox(server)
    Journey(settings, root, mailboxes={"cass": box}).run()
    box.close()


def test_a_graph_run_killed_after_any_write_is_finished_by_the_next_run_once(
        settings: Settings, tmp_path: Path) -> None:
    server = GraphServer().start()
    try:
        crashes = Crashes(site=lambda root: _graph_site(server), dying=lambda root, n: _dying_graph_run(
            server, root, n), again=lambda root: _graph_again(server, settings, root),
            seen=lambda root: _graph_mailbox(server))
        expected, writes = crashes.whole(tmp_path / "whole")
        assert writes >= 4

        crashes.killed_at_every_write(tmp_path, expected, writes)

        assert not server.violations, server.violations
    finally:
        server.stop()


# -- EWS, on the test EWS endpoint: the kill lands just after each CreateItem, UpdateItem or MoveItem is answered --

DYING_EWS_RUN = textwrap.dedent("""
    import os, re, sys
    from pathlib import Path
    import requests
    endpoint, root = sys.argv[1:3]
    left = [int(sys.argv[3])]
    real = requests.Session.post
    def post(self, url, *args, **kwargs):
        answer = real(self, url, *args, **kwargs)
        body = kwargs.get("data") or b""
        if answer.status_code != 401 and re.search(rb"<m:(CreateItem|UpdateItem|MoveItem|DeleteItem)\\b", body):
            left[0] -= 1
            if left[0] == 0:
                os._exit(137)
        return answer
    requests.Session.post = post
    from bot.config import load_settings
    from bot.mailbox.ews import EwsMailbox
    from tests.support.ews_world import GivenSecret, PASSWORD, ews_settings
    from tests.support.journey import Journey
    class Endpoint:
        endpoint = sys.argv[1]
    box = EwsMailbox("cass", "cass@childrenstrust.example", ews_settings(Endpoint()), GivenSecret(PASSWORD),
                     "Information Requests", base_delay=0.01)
    Journey(load_settings(Path("config/cassbot.toml")), Path(root), mailboxes={"cass": box}).run()
    print("WRITES-LEFT", left[0], file=sys.stderr)
""")


EWS_ADDRESS = "cass@childrenstrust.example"


def _ews_mailbox(server: EwsServer) -> Counter[tuple[str, str, str]]:
    with server.lock:
        return Counter((server.folders[i.folder].name, i.subject, ",".join(i.categories))
                       for i in server.items.values())


def _ews_site(server: EwsServer) -> None:
    with server.lock:
        for item_id in list(server.items):
            server.remove(item_id)
    if server.folder(EWS_ADDRESS, "Information Requests"):
        server.remove_folder(EWS_ADDRESS, "Information Requests")
    for name in MAIL:
        server.deliver(EWS_ADDRESS, "inbox", (ROOT / "demo" / "mail" / name).read_bytes())


def _dying_ews_run(server: EwsServer, root: Path, n: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DYING_EWS_RUN, server.endpoint, str(root), str(n)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def _ews_again(server: EwsServer, settings: Settings, root: Path) -> None:
    box = ews_world.bot_mailbox(server, EWS_ADDRESS)
    Journey(settings, root, mailboxes={"cass": box}).run()
    box.close()


def test_an_ews_run_killed_after_any_write_is_finished_by_the_next_run_once(
        settings: Settings, tmp_path: Path) -> None:
    server = ews_world.start_server(EWS_ADDRESS)
    try:
        crashes = Crashes(site=lambda root: _ews_site(server), dying=lambda root, n: _dying_ews_run(server, root, n),
                          again=lambda root: _ews_again(server, settings, root), seen=lambda root: _ews_mailbox(server))
        expected, writes = crashes.whole(tmp_path / "whole")
        assert writes >= 4

        crashes.killed_at_every_write(tmp_path, expected, writes)
    finally:
        server.stop()
