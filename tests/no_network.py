"""A guard that makes any network access in a test fail loudly, and remembers it.

Parley is an offline app: starting it, studying, importing and exporting must never open
a connection or even resolve a host name. The ``no_network`` fixture (re-exported by the
conftests that need it) replaces the socket functions Python code reaches the network
through, so an attempt raises ``NetworkBlocked`` - an ``OSError``, as on a machine without
a network - and is recorded. The test fails at teardown if anything was attempted, even when
the code under test caught the error and carried on.

Local IPC over AF_UNIX sockets (D-Bus, PulseAudio) is not network and passes through.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


class NetworkBlocked(OSError):
    """Raised in place of a connection or name lookup while the guard is on."""


@dataclass
class NetworkAttempts:
    """What the code under test tried: one ``(function, target)`` entry per attempt."""

    attempts: list[tuple[str, str]] = field(default_factory=list)

    def record(self, what: str, target: object) -> NetworkBlocked:
        self.attempts.append((what, repr(target)))
        return NetworkBlocked(f"network access blocked in tests: {what}({target!r})")


def _is_local_ipc(sock: socket.socket) -> bool:
    return getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX


def install(monkeypatch: pytest.MonkeyPatch) -> NetworkAttempts:
    """Block and record network access until ``monkeypatch`` is undone."""
    seen = NetworkAttempts()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if _is_local_ipc(self):
            return real_connect(self, address)
        raise seen.record("socket.connect", address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if _is_local_ipc(self):
            return real_connect_ex(self, address)
        raise seen.record("socket.connect_ex", address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        raise seen.record("socket.create_connection", address)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        raise seen.record("socket.getaddrinfo", (host, port))

    def gethostbyname(host: str) -> str:
        raise seen.record("socket.gethostbyname", host)

    def gethostbyname_ex(host: str) -> Any:
        raise seen.record("socket.gethostbyname_ex", host)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    monkeypatch.setattr(socket, "gethostbyname_ex", gethostbyname_ex)
    return seen


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkAttempts]:
    """Fail the test if it tries to reach the network; yields the record of attempts."""
    seen = install(monkeypatch)
    yield seen
    if seen.attempts:
        pytest.fail(f"the test tried to use the network: {seen.attempts}", pytrace=False)
