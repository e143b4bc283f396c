"""Mail the benchmarks deliver: an ordinary team notice of about 3 KB, CRLF as IMAP carries it."""

from __future__ import annotations

import time
from email.message import EmailMessage


def notice(n: int, size: int = 3000) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "colleague@childrenstrust.example", "cass@childrenstrust.example"
    msg["Subject"], msg["Message-ID"] = f"Rota {n}", f"<bench-{n}-{time.time_ns()}@childrenstrust.example>"
    msg.set_content("Rota update. " * (size // 13))
    return bytes(msg).replace(b"\n", b"\r\n")
