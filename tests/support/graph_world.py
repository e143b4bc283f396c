"""The outside world of a Graph mailbox on the local test server: mail arriving, RAOs pressing Send.

Mail arrives as Exchange's transport would put it (straight into the server's
state: Graph has no way to deliver received mail); the bot reaches the server only
through `GraphMailbox`, over HTTPS, with MSAL's client-credentials sign-in.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from bot.config import Graph
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.graph import GraphMailbox
from tests.support.graph_server import GraphServer

ADDRESS = "cass@example.org"
SECRET_ENV = "CASSBOT_TEST_GRAPH_SECRET"
NAMES = {Folder.INBOX: "inbox", Folder.DRAFTS: "drafts", Folder.SENT: "sentitems"}
_shared: list[GraphServer] = []


def graph_settings(server: GraphServer, **changes: object) -> Graph:
    values: dict[str, object] = {"tenant_id": server.tenant, "client_id": server.client_id,
                                 "client_secret_env": SECRET_ENV, "base_url": f"{server.url}/v1.0",
                                 "authority_host": server.url}
    return Graph.model_validate({**values, **changes})


def certificate_file(tmp_path: Path, days: int) -> tuple[Path, bytes]:
    """A PEM with a new key and a self-signed certificate that expires in `days` days."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cassbot")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    path = tmp_path / "cassbot.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()) + pem)
    return path, pem


def bot_mailbox(server: GraphServer, address: str = ADDRESS, *, role: str = "cass", settings: Graph | None = None,
                ca_file: Path | None = None, **options: object) -> GraphMailbox:
    """The bot's view, signing in at the server's authority (Microsoft's instance discovery cannot vouch for it)."""
    os.environ[SECRET_ENV] = server.secret
    options = {"base_delay": 0.01, **options}
    return GraphMailbox(role, address, settings or graph_settings(server), ca_file=str(ca_file or server.ca_file),
                        instance_discovery=False, **options)  # type: ignore[arg-type]


class World:
    """What people and other servers do to one mailbox on the test server."""

    def __init__(self, server: GraphServer, address: str = ADDRESS) -> None:
        self.server, self.address = server, address

    def deliver(self, folder: Folder, raw: bytes) -> str:
        return self.server.mailbox(self.address).deliver(NAMES[folder], raw)

    def marks(self, folder: Folder, key: str) -> set[str]:
        """What Outlook shows of the message: "flagged", "high importance", "read"."""
        with self.server.lock:
            message = self.server.mailbox(self.address).messages[key]
            return {mark for mark, shown in (("flagged", message.flag_status == "flagged"), ("read", message.is_read),
                                             ("high importance", message.importance == "high")) if shown}

    def is_draft(self, key: str) -> bool:
        box = self.server.mailbox(self.address)
        with self.server.lock:
            message = box.messages.get(key)
            return message is not None and message.is_draft and message.folder == box.folder("drafts").id

    def send_draft(self, message_id: str, sent_by: str, when: datetime) -> str:
        return self.server.mailbox(self.address).send_draft(message_id, sent_by, when)

    def reset(self) -> None:
        self.server.reset(self.address)


def shared_server() -> GraphServer:
    """One server for the process (the contract suite makes a mailbox per test), stopped at exit."""
    if not _shared:
        _shared.append(GraphServer().start())
        atexit.register(_shared[0].stop)
    return _shared[0]


def graph_backend(tmp_path: Path) -> tuple[Mailbox, World]:
    """A fresh, empty mailbox on the shared server, and the world around it (for the contract suite)."""
    server = shared_server()
    world = World(server)
    world.reset()
    ca_file = tmp_path / "graph-ca.pem"
    ca_file.write_bytes(server.ca_file.read_bytes())
    return bot_mailbox(server, ca_file=ca_file), world
