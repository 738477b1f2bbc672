"""A throwaway PostgreSQL cluster for the tests: ``initdb`` in a temporary folder, one server.

The server runs as an ordinary system user (PostgreSQL refuses to run as root, and the tests
may run as root: then the user ``tcbm_pg`` is created once and the server runs as it). It
listens on a unix socket in the temporary folder only (no TCP at all), under a free port
number, and is stopped and removed at the end of the session.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

PG_USER = "tcbm_pg"
PASSWORD_LOGIN = "tcbm_pw_login"
SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: $TCBM_TEST_PG_BIN, ``pg_config --bindir``, Debian's."""
    candidates = []
    if os.environ.get("TCBM_TEST_PG_BIN"):
        candidates.append(Path(os.environ["TCBM_TEST_PG_BIN"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    """The command prefix that runs a program as the server's user (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER], check=True)
    return ["runuser", "-u", PG_USER, "--"]


@dataclass
class Cluster:
    bindir: Path
    base: Path
    port: int
    prefix: list[str]

    @property
    def socket_dir(self) -> Path:
        return self.base / "sock"

    def url(self, dbname: str, user: str = SUPERUSER) -> str:
        """A URL as a user types it (``--db``): the socket folder goes in ``host``."""
        return f"postgresql://{user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def conninfo(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"host={self.socket_dir} port={self.port} dbname={dbname} user={user}"

    def sql(self, statement: str, dbname: str = "postgres", user: str = SUPERUSER) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.conninfo(dbname, user), autocommit=True) as conn:
            cur = conn.execute(statement)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def new_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.sql(f'CREATE DATABASE "{name}"')
        return name

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: ``immediate`` (the default) as a crash or a pulled cable would, with no
        clean shut-down; ``fast`` as an administrator would, closing every connection."""
        subprocess.run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", mode, "-w", "stop"],
            capture_output=True, check=False,
        )

    def require_passwords(self) -> None:
        """Every login but the superuser must give its password on the socket, as on a real server."""
        hba = self.base / "data" / "pg_hba.conf"
        lines = f"local all {SUPERUSER} trust\nlocal all all scram-sha-256\n"
        subprocess.run([*self.prefix, "sh", "-c", f"cat > {hba}"], input=lines, text=True, check=True)
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "reload"],
                       capture_output=True, check=True)

    def start(self) -> None:
        """Start the server (again) on its socket and port; returns once it accepts connections."""
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off -c max_connections=60"
        subprocess.run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-o", options,
             "-l", str(self.base / "server.log"), "-w", "start"],
            capture_output=True, check=True,
        )


def start_cluster(bindir: Path) -> Cluster:
    prefix = _as_server_user()
    base = Path(tempfile.mkdtemp(prefix="tcbm-pg-"))
    (base / "sock").mkdir()
    if prefix:
        for path in (base, base / "sock"):
            shutil.chown(path, PG_USER)
    port = _free_port()
    data = base / "data"
    # trust on the socket: the tests connect as each role without passwords; the socket lives
    # in a folder of this run only.
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        capture_output=True, check=True,
    )
    # One login must give a password (tests of refused passwords and of ~/.pgpass); all others
    # are trusted on the socket.
    hba = data / "pg_hba.conf"
    lines = hba.read_text() if not prefix else subprocess.run([*prefix, "cat", str(hba)], capture_output=True, text=True,
                                                                  check=True).stdout
    subprocess.run([*prefix, "sh", "-c", f"cat > {hba}"], input=f"local all {PASSWORD_LOGIN} scram-sha-256\n" + lines,
                   text=True, check=True)
    cluster = Cluster(bindir, base, port, prefix)
    cluster.start()
    return cluster
