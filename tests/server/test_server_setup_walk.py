"""docs/team-server.md followed as written, on a new cluster that asks every login for its password.

The commands are read from the document's code lines ("Setting up a server", "Connecting",
"Backups") and run in order as an administrator and an analyst would: SQL lines as the superuser,
``~/.pgpass`` lines into the password file named by ``PGPASSFILE``, ``export`` lines into the
environment, every other line as a command (``tcbm-tracker`` being this installation's). Only
the server's address differs: ``dbhost`` is the cluster's socket (``PGHOST``/``PGPORT``), and
``sslmode`` is left out (the throwaway cluster has no TLS). Between "Connecting" and "Backups",
two analysts record at once from eight processes, and ``verify`` passes on the server.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from pg_cluster import Cluster
from test_server_concurrency import ACTORS, CLIENT, EACH

DOC = Path(__file__).resolve().parents[2] / "docs" / "team-server.md"
TRACKER = str(Path(sys.executable).with_name("tcbm-tracker"))
PGPASS_LINE = re.compile(r"[^\s:]+:[^\s:]+:[^\s:]+:[^\s:]+:.+")


def section_code(heading: str) -> list[str]:
    """The code lines (indented four spaces or more) of the document's section starting with ``heading``."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return [line.strip() for line in text[start:end].splitlines() if line.startswith("    ") and line.strip()]


class Walk:
    """Runs the document's lines against one cluster, keeping the environment between them."""

    def __init__(self, cluster: Cluster, home: Path) -> None:
        self.cluster = cluster
        self.home = home
        self.pgpass = home / ".pgpass"
        self.env = {**os.environ, "HOME": str(home), "PGPASSFILE": str(self.pgpass), "PGHOST": str(cluster.socket_dir),
                    "PGPORT": str(cluster.port), "PATH": f"{cluster.bindir}{os.pathsep}{os.environ['PATH']}"}
        for name in ("PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICEFILE", "TCBM_TRACKER_DB"):
            self.env.pop(name, None)
        self.outputs: list[tuple[str, str]] = []

    @staticmethod
    def local(text: str) -> str:
        """The document's server address as this cluster's: its socket, from PGHOST and PGPORT."""
        return text.replace("@dbhost/", "@/").replace("?sslmode=verify-full", "")

    def line(self, line: str) -> None:
        if line.startswith(("apt-get ", "pip install ")):
            return  # installed already: the tests run in the application's environment
        if line.endswith(";"):
            self.cluster.sql(line)
        elif PGPASS_LINE.fullmatch(line):
            with self.pgpass.open("a", encoding="utf-8") as f:
                f.write(re.sub(r"^dbhost:\d+:", "*:*:", line) + "\n")
            self.pgpass.chmod(0o600)
        elif line.startswith("export "):
            name, _, value = shlex.split(line.removeprefix("export "))[0].partition("=")
            self.env[name] = self.local(value)
        else:
            self.command(line)

    def command(self, line: str) -> None:
        env = dict(self.env)
        argv = shlex.split(self.local(line))
        if argv[:3] == ["sudo", "-u", "postgres"]:
            argv, env["PGUSER"] = argv[3:], "postgres"
        if argv[0] == "tcbm-tracker":
            argv[0] = TRACKER
        # A line that redirects its output goes through a shell, as typed.
        command: list[str] | str = shlex.join(argv).replace(" '>' ", " > ") if ">" in argv else argv
        done = subprocess.run(command, shell=isinstance(command, str), cwd=self.home, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{line!r} failed: {done.stderr.strip() or done.stdout.strip()}"
        self.outputs.append((line, done.stdout))

    def output_of(self, start: str) -> str:
        return next(out for line, out in reversed(self.outputs) if line.startswith(start))


def analysts_record_at_once(walk: Walk) -> None:
    """Eight processes, four as ana and four as ben, record at once: every change is kept.

    Ben works from his own machine: his password file has his line, written as the document's
    line for ana (his password is the one the document gave him).
    """
    ben_pgpass = walk.home / "ben.pgpass"
    ben_pgpass.write_text(walk.pgpass.read_text().replace(":ana:", ":ben:"))
    ben_pgpass.chmod(0o600)
    env = {"ana": walk.env, "ben": {**walk.env, "PGPASSFILE": str(ben_pgpass)}}
    url = walk.env["TCBM_TRACKER_DB"]
    clients = [subprocess.Popen([sys.executable, "-c", CLIENT, url.replace("//ana@", f"//{who}@"), actor, str(EACH)],
                                env=env[who], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for who, actor in zip(("ana", "ben") * 4, ACTORS, strict=True)]
    results = [c.communicate(timeout=300) for c in clients]
    assert [c.returncode for c in clients] == [0] * len(clients), [err for _, err in results]


def test_the_documented_set_up_connecting_and_backups_work_as_written(own_cluster: Cluster, tmp_path: Path) -> None:
    own_cluster.require_passwords()
    walk = Walk(own_cluster, tmp_path)
    for line in section_code("Setting up a server") + section_code("Connecting"):
        walk.line(line)
    assert walk.output_of("tcbm-tracker server whoami").startswith("ana: tcbm_editor, tcbm_reader")
    assert "recorded #1: FRA LTS-A.1 implemented" in walk.output_of("tcbm-tracker assess")

    analysts_record_at_once(walk)
    walk.command("tcbm-tracker verify")
    assert walk.output_of("tcbm-tracker verify").startswith("ok: server database")
    recorded = own_cluster.sql("SELECT recorded_by, count(*) FROM assessment GROUP BY 1 ORDER BY 1", dbname="tcbm")
    per_analyst = 4 * (EACH - EACH // 4)
    assert recorded == [("ana", per_analyst + 1), ("ben", per_analyst)]  # under their logins, nothing lost

    for line in section_code("Backups"):
        walk.line(line)
    assert "ok: server database" in walk.output_of("tcbm-tracker --db postgresql://tracker_owner@dbhost/tcbm_restored verify")
    assert "CREATE ROLE ana" in (tmp_path / "roles.sql").read_text()
    restored = own_cluster.sql("SELECT recorded_by, count(*) FROM assessment GROUP BY 1 ORDER BY 1", dbname="tcbm_restored")
    assert restored == recorded
    # The restored copy is still append-only, for its owner too.
    with pytest.raises(Exception, match="append-only"):
        own_cluster.sql("DELETE FROM assessment", dbname="tcbm_restored")


def test_setup_by_an_owner_without_createrole_is_one_line_and_changes_nothing(own_cluster: Cluster, tmp_path: Path) -> None:
    own_cluster.sql("CREATE ROLE plain_owner LOGIN PASSWORD 'plain horse'")
    own_cluster.sql("CREATE DATABASE plain OWNER plain_owner")
    walk = Walk(own_cluster, tmp_path)
    walk.line("*:*:plain:plain_owner:plain horse")
    walk.command("tcbm-tracker --db postgresql://plain_owner@dbhost/plain init")
    done = subprocess.run([TRACKER, "--db", walk.local("postgresql://plain_owner@dbhost/plain"), "server", "setup"],
                          env=walk.env, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and done.stderr.count("\n") == 1, done.stderr
    assert "the server refused `server setup`" in done.stderr and "CREATEROLE" in done.stderr
    assert "nothing was changed" in done.stderr
    assert own_cluster.sql("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tcbm_%'", dbname="plain") == [(0,)]
