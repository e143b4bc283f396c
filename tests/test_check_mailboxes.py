"""`cassbot check-mailboxes`, as an operator runs it before go-live: one line per step, the permission a failure
needs, a mailbox the bot must not reach refused, and nothing left behind (against the Graph and EWS test servers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.check_mailboxes import Report, check_forbidden, check_one
from bot.config import Settings
from bot.errors import Exit
from bot.mailbox.base import Folder
from bot.teams import mailbox_roles
from tests.support import ews_world, graph_world
from tests.support.ews_server import EwsServer
from tests.support.graph_server import GraphServer
from tests.support.journey import DEMO_MAIL, with_mailboxes
from tests.support.site import deliver_demo_mail, site_config

ROLES = mailbox_roles()
ADDRESSES = {"cass": "cass@example.org", "af": "af@example.org", "lado": "lado@example.org"}
FORBIDDEN = "director@example.org"


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    server = GraphServer(allowed=set(ADDRESSES.values())).start()  # the app is limited to the three mailboxes
    for address in (*ADDRESSES.values(), FORBIDDEN):
        server.mailbox(address)
    yield server
    server.stop()
    assert not server.violations, server.violations


@pytest.fixture
def ews() -> Iterator[EwsServer]:
    server = ews_world.start_server(*ADDRESSES.values(), FORBIDDEN,
                                    grants={ews_world.USER: tuple(ADDRESSES.values())})  # FullAccess on three
    yield server
    server.stop()


def _check_graph(settings: Settings, server: GraphServer) -> int:
    graph = {"tenant_id": server.tenant, "client_id": server.client_id, "client_secret_env": graph_world.SECRET_ENV}
    configured = with_mailboxes(settings, ROLES, backend="graph", graph=graph)
    report = Report()
    for config in configured.mailboxes:
        address = ADDRESSES[config.role]
        check_one(report, config.model_copy(update={"address": address}),
                  lambda a=address, r=config.role: graph_world.bot_mailbox(server, a, role=r))  # type: ignore[misc]
    check_forbidden(report, FORBIDDEN, lambda: graph_world.bot_mailbox(server, FORBIDDEN, role="forbidden"))
    return int(report.code)


def _check_ews(settings: Settings, server: EwsServer) -> int:
    configured = with_mailboxes(settings, ROLES, backend="ews", ews=ews_world.ews_settings(server).model_dump())
    report = Report()
    for config in configured.mailboxes:
        address = ADDRESSES[config.role]
        check_one(report, config.model_copy(update={"address": address}),
                  lambda a=address: ews_world.bot_mailbox(server, a))  # type: ignore[misc]
    check_forbidden(report, FORBIDDEN, lambda: ews_world.bot_mailbox(server, FORBIDDEN))
    return int(report.code)


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_on_graph_every_step_passes_and_the_fourth_mailbox_is_refused(
        settings: Settings, graph: GraphServer, capsys: pytest.CaptureFixture[str]) -> None:
    graph.mailbox(ADDRESSES["cass"]).deliver("inbox", (DEMO_MAIL / "01-ola-request.eml").read_bytes())

    assert _check_graph(settings, graph) == Exit.OK

    lines = _lines(capsys)
    assert len(lines) == 3 * 3 + 1 and all(line.startswith("ok") for line in lines), lines
    assert "Information Requests" not in lines[0] and "Drafts" in lines[0]  # the folders, as Exchange names them
    assert "read " in lines[1] and "left unread" in lines[1]
    assert lines[-1].split()[1:3] == ["forbidden", FORBIDDEN] and "refused, as it should be" in lines[-1]
    assert all(graph.mailbox(a).in_folder("drafts") == [] for a in ADDRESSES.values())  # the test drafts are gone
    assert not any(m.is_read for m in graph.mailbox(ADDRESSES["cass"]).messages.values())


def test_on_graph_a_mailbox_outside_the_scope_names_the_permission_and_an_open_fourth_fails(
        settings: Settings, graph: GraphServer, capsys: pytest.CaptureFixture[str]) -> None:
    graph.allowed = {ADDRESSES["cass"], ADDRESSES["af"], FORBIDDEN}  # LADO left out, a director's mailbox let in

    assert _check_graph(settings, graph) == Exit.AUTH

    lines = _lines(capsys)
    [lado] = [line for line in lines if line.split()[1] == "lado"]
    assert lado.startswith("FAILED") and "ErrorAccessDenied" in lado and "RBAC for Applications" in lado
    assert lines[-1].startswith("FAILED") and "the bot could open it" in lines[-1]


def test_on_ews_every_step_passes_and_the_fourth_mailbox_is_refused(
        settings: Settings, ews: EwsServer, capsys: pytest.CaptureFixture[str]) -> None:
    ews_world.World(ews, ADDRESSES["lado"]).deliver(Folder.INBOX, (DEMO_MAIL / "01-ola-request.eml").read_bytes())

    assert _check_ews(settings, ews) == Exit.OK

    lines = _lines(capsys)
    assert all(line.startswith("ok") for line in lines), lines
    assert "refused, as it should be" in lines[-1]
    assert all(ews.in_folder(a, "drafts") == [] for a in ADDRESSES.values())


def test_on_ews_a_mailbox_without_full_access_names_the_permission(
        settings: Settings, ews: EwsServer, capsys: pytest.CaptureFixture[str]) -> None:
    ews.grants = {ews_world.USER: (ADDRESSES["cass"], ADDRESSES["lado"])}

    assert _check_ews(settings, ews) == Exit.AUTH

    [af] = [line for line in _lines(capsys) if line.split()[1] == "af"]
    assert af.startswith("FAILED") and "FullAccess" in af


def test_from_the_command_line_on_maildirs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_config(tmp_path)
    deliver_demo_mail(tmp_path, "01-ola-request.eml")

    assert main(["check-mailboxes", "--config", str(config)]) == 0

    lines = _lines(capsys)
    assert len(lines) == 9 and all(line.startswith("ok") for line in lines)
    assert list((tmp_path / "maildir" / "cass" / ".Drafts" / "cur").iterdir()) == []
