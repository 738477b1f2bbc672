"""The suite runs offline: any network connection, in the test process or a child, fails the test."""

from __future__ import annotations

import socket
import subprocess
import sys

import offline_guard
import pytest


def _forget_attempts(count: int) -> list[str]:
    """This test's own attempts, removed so that the plugin's after-test check passes."""
    tried = offline_guard.ATTEMPTS[-count:]
    del offline_guard.ATTEMPTS[-count:]
    return tried


def test_connections_and_name_lookups_are_refused_in_the_test_process() -> None:
    with pytest.raises(offline_guard.NetworkBlockedError, match="connect to"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(offline_guard.NetworkBlockedError, match="name lookup of 'example.org'"):
        socket.getaddrinfo("example.org", 443)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with pytest.raises(offline_guard.NetworkBlockedError, match="sendto"):
        udp.sendto(b"x", ("192.0.2.1", 53))
    udp.close()
    assert len(_forget_attempts(3)) == 3


def test_local_sockets_still_work() -> None:
    a, b = socket.socketpair(socket.AF_UNIX)
    a.sendall(b"ok")
    assert b.recv(2) == b"ok"
    a.close()
    b.close()


def test_child_processes_are_offline_too() -> None:
    code = "import socket; socket.create_connection(('127.0.0.1', 9), timeout=1)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "NetworkBlockedError: network access is blocked in the tests" in r.stderr


def test_a_swallowed_connection_attempt_still_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner="""
        import socket

        def test_quietly_online():
            try:
                socket.create_connection(("127.0.0.1", 9), timeout=1)
            except Exception:
                pass  # code that hides a failed connection
        """)
    with_plugin = pytester.runpytest_subprocess("-p", "offline_plugin", "-p", "no:cacheprovider")
    with_plugin.assert_outcomes(passed=1, errors=1)  # the test body passes; the check after it fails
    assert with_plugin.ret != 0
    with_plugin.stdout.fnmatch_lines(["*the test tried to use the network: connect to ('127.0.0.1', 9)*"])
    # Without the after-test check the swallowed error would go unnoticed: the check is what fails it.
    without = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    without.assert_outcomes(passed=1)
