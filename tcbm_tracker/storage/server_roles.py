"""Who may do what on a server database: three roles, their grants, and append-only triggers.

``setup`` (run once by the database's owner, ``tcbm-tracker server setup``) creates the roles and
grants; running it again changes nothing. The rules hold against any client, not only this
application:

- ``tcbm_reader`` reads every table and nothing else;
- ``tcbm_editor`` (a reader too) may INSERT assessments, evidence and their links, change-log
  entries and seals, never UPDATE or DELETE them: the privileges are not granted, and triggers
  reject UPDATE, DELETE and TRUNCATE of those tables even for a role that holds them;
- ``tcbm_admin`` (an editor too) also loads catalogues and manages actors (the reference tables);
- the name recorded with a change (``recorded_by``, the change log's ``user``, ``imported_by``)
  must be the server's authenticated role (``current_user``): a trigger refuses any other name,
  so a client cannot claim to be someone else. The application records under that name itself;
- the time recorded with a change (``recorded_at``, ``created_at``, the log's ``at``, a seal's
  ``made_at``) must be the server's own time, within ``CLOCK_SLACK``: a client with a wrong clock
  (or one that ignores the application) cannot back- or forward-date a recording.

Rows merged from a signed package keep the author and time they were recorded with elsewhere:
both triggers let them through only when the ``package_import`` row they point to was written in
the same transaction (its ``xmin`` is this transaction), by this login at the server's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection

READER, EDITOR, ADMIN = "tcbm_reader", "tcbm_editor", "tcbm_admin"
ROLES = (READER, EDITOR, ADMIN)

# Append-only: inserted by editors, never updated or deleted by anyone.
APPEND_ONLY = ("assessment", "assessment_evidence", "evidence", "evidence_file", "evidence_correction", "change_log", "seal",
               "import_batch", "package_import")
# The reference data: loaded and changed by administrators only.
REFERENCE = ("catalog", "measure_group", "measure", "actor", "actor_attribute", "attribute_def", "tracker_meta")
# table -> the column that names who recorded the row
AUTHOR_COLUMN = {"assessment": "recorded_by", "evidence": "recorded_by", "change_log": "user",
                 "import_batch": "imported_by", "package_import": "imported_by"}
# table -> the column that holds when the row was recorded (the server's clock decides)
TIME_COLUMN = {"assessment": "recorded_at", "evidence": "created_at", "change_log": "at", "seal": "made_at",
               "import_batch": "imported_at", "package_import": "imported_at"}
# How far a recorded time may be from the server's clock (a transaction's first and last instant).
CLOCK_SLACK = "5 minutes"
# Names of the triggers made here (``chain_check.verify_schema_objects`` lists any other).
TRIGGER_PREFIX = "tcbm_"


def _statements() -> list[str]:
    out = [
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} NOLOGIN; END IF;
            END $$"""
        for role in ROLES
    ]
    out += [
        f"GRANT {READER} TO {EDITOR}",
        f"GRANT {EDITOR} TO {ADMIN}",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {READER}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}",
        f"GRANT INSERT ON {', '.join(APPEND_ONLY)} TO {EDITOR}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {EDITOR}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(REFERENCE)} TO {ADMIN}",
        # The record's write lock (storage.server_database) is an advisory lock: no grant needed.
        """CREATE OR REPLACE FUNCTION tcbm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION 'the record is append-only: % of % refused', TG_OP, TG_TABLE_NAME
               USING ERRCODE = 'insufficient_privilege';
           END $$""",
        # A row merged from a package, in the transaction that recorded the package's import.
        """CREATE OR REPLACE FUNCTION tcbm_merged_here(batch text) RETURNS boolean LANGUAGE sql AS $$
             SELECT batch IS NOT NULL AND EXISTS (SELECT 1 FROM package_import p WHERE p.id = batch::bigint
               AND p.xmin::text = (txid_current() % 4294967296)::text)
           $$""",
        """CREATE OR REPLACE FUNCTION tcbm_author_is_login() RETURNS trigger LANGUAGE plpgsql AS $$
           DECLARE claimed text := to_jsonb(NEW) ->> TG_ARGV[0];
           BEGIN
             IF claimed IS DISTINCT FROM current_user::text AND NOT tcbm_merged_here(to_jsonb(NEW) ->> 'package_import_id') THEN
               RAISE EXCEPTION 'a change is recorded under the server login (%), not %', current_user, claimed
                 USING ERRCODE = 'insufficient_privilege';
             END IF;
             RETURN NEW;
           END $$""",
        # The usual case (a time the server just gave) is decided first, without the merge lookup;
        # CASE makes sure a malformed time is never cast (which would fail with a cryptic error).
        rf"""CREATE OR REPLACE FUNCTION tcbm_stamped_now() RETURNS trigger LANGUAGE plpgsql AS $$
           DECLARE
             fields jsonb := to_jsonb(NEW);
             stamped text := fields ->> TG_ARGV[0];
           BEGIN
             IF (CASE WHEN stamped ~ '^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{6}}Z$'
                     THEN stamped::timestamptz BETWEEN now() - interval '{CLOCK_SLACK}'
                                                   AND clock_timestamp() + interval '{CLOCK_SLACK}'
                     ELSE false END) THEN
               RETURN NEW;
             END IF;
             IF tcbm_merged_here(fields ->> 'package_import_id') THEN
               RETURN NEW;
             END IF;
             RAISE EXCEPTION 'the server''s clock is the recording time: % of % is %, the server''s time is % (a client''s clock may be wrong)',
               TG_ARGV[0], TG_TABLE_NAME, coalesce(stamped, 'empty'),
               to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
               USING ERRCODE = 'check_violation';
           END $$""",
    ]
    for table in APPEND_ONLY:
        out += [
            f"DROP TRIGGER IF EXISTS tcbm_append_only ON {table}",
            f"CREATE TRIGGER tcbm_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION tcbm_append_only()",
            f"DROP TRIGGER IF EXISTS tcbm_no_truncate ON {table}",
            f"CREATE TRIGGER tcbm_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION tcbm_append_only()",
        ]
    for table, column in AUTHOR_COLUMN.items():
        out += [
            f"DROP TRIGGER IF EXISTS tcbm_author ON {table}",
            f"CREATE TRIGGER tcbm_author BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION tcbm_author_is_login('{column}')",
        ]
    for table, column in TIME_COLUMN.items():
        out += [
            f"DROP TRIGGER IF EXISTS tcbm_clock ON {table}",
            f"CREATE TRIGGER tcbm_clock BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION tcbm_stamped_now('{column}')",
        ]
    return out


def setup(conn: Connection) -> None:
    """Create the roles, grants and triggers (idempotent); the caller commits."""
    # Through the driver without parameters: the functions' RAISE formats use "%".
    raw = conn.connection.driver_connection
    assert raw is not None
    for statement in _statements():
        raw.execute(statement)


def is_set_up(conn: Connection) -> bool:
    """True when ``setup`` was run on this database (its functions are here; roles are cluster-wide)."""
    return conn.exec_driver_sql(
        "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.proname = 'tcbm_append_only' AND n.nspname = 'public'"
    ).first() is not None


def grant(conn: Connection, login: str, role: str) -> None:
    """Give an existing login one of the three roles (the caller commits)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    quoted = conn.dialect.identifier_preparer.quote(login)
    conn.exec_driver_sql(f"GRANT {role} TO {quoted}")


@dataclass(frozen=True)
class LoginRights:
    """Who a connection is signed in as, to which database, the tracker roles it holds, and
    whether it may record."""

    name: str
    database: str  # the database's own name on the server (``current_database()``)
    roles: tuple[str, ...]  # e.g. ("tcbm_reader",); empty on a server without `server setup`
    may_record: bool

    @property
    def read_only_reason(self) -> str | None:
        """Why this login may only look (one line), or None when it may record."""
        if self.may_record:
            return None
        return (f"signed in as {self.name} ({', '.join(self.roles) or 'no tracker role'}): "
                f"you can look and print, not record; recording needs {EDITOR}")


# May record = may insert an assessment and a seal (what an editor is granted). A database not
# yet made a tracker database has neither table: its owner creates them, so it counts as writable
# (``to_regclass`` is NULL, and so is the privilege test of a NULL table).
_SIGNED_IN = (
    "SELECT current_user::text, current_database()::text, "
    "coalesce(has_table_privilege(to_regclass('assessment'), 'INSERT') "
    "AND has_table_privilege(to_regclass('seal'), 'INSERT'), true), "
    "ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname IN ('tcbm_reader', 'tcbm_editor', 'tcbm_admin') "
    "AND pg_has_role(current_user, oid, 'MEMBER') ORDER BY rolname)"
)


def login_rights(conn: Connection) -> LoginRights:
    """The connection's login and database, its tracker roles and whether it may record, in one round trip."""
    name, database, may_record, roles = conn.exec_driver_sql(_SIGNED_IN).one()
    return LoginRights(str(name), str(database), tuple(str(r) for r in roles), bool(may_record))


def role_needed(statement: str | None) -> str:
    """The role a refused statement needed: readers read, editors record, admins change reference data."""
    found = re.match(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', statement or "", re.IGNORECASE)
    if found is None:
        return READER
    return ADMIN if found.group(1).lower() in REFERENCE else EDITOR
