"""No network in tests: every socket connection except a local (AF_UNIX) one is refused.

The tracker is used on offline laptops and must never reach out. ``install()`` replaces the
socket methods that open connections or send datagrams, and the name lookup, with versions
that raise ``NetworkBlockedError`` and remember the attempt, so that a test whose code swallows
the error still fails (see ``offline_plugin``). Loaded in the test process by the plugin, and in
every Python child process through ``sitecustomize`` in this folder (on ``PYTHONPATH``).
"""

from __future__ import annotations

import socket
from typing import Any

ATTEMPTS: list[str] = []
_LOCAL_NAMES = {None, "", "localhost", "localhost.localdomain"}


class NetworkBlockedError(ConnectionRefusedError):
    """A network connection was attempted during the tests (an OSError, so that callers such as
    ``socket.create_connection`` close the socket as they do on any refused connection)."""


def _refuse(what: str) -> NetworkBlockedError:
    ATTEMPTS.append(what)
    return NetworkBlockedError(f"network access is blocked in the tests: {what}")


def _is_local(family: int) -> bool:
    return family == getattr(socket, "AF_UNIX", -1)


def install() -> None:
    if getattr(socket.socket, "_tcbm_offline", False):
        return
    real_connect, real_connect_ex, real_sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local(self.family):
            raise _refuse(f"connect to {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local(self.family):
            raise _refuse(f"connect_ex to {address!r}")
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, *args: Any) -> int:
        if not _is_local(self.family):
            raise _refuse(f"sendto {args[-1]!r}")
        return real_sendto(self, *args)  # type: ignore[arg-type]

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # A name lookup asks a DNS server; local names and plain addresses need no network.
        if host not in _LOCAL_NAMES and not _is_address(host):
            raise _refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    socket.socket._tcbm_offline = True  # type: ignore[attr-defined]


def _is_address(host: Any) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
    except (ValueError, AttributeError):
        return False
    return True
