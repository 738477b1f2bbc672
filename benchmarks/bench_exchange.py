"""Spreadsheet exchange benchmark: import and export side by side with their baselines.

Each measurement runs in a child process of its own, so that its peak memory (RSS) is its own:
the child prints its time, its peak RSS and its peak RSS growth over what it held when the
measured work started (Linux: the peak is reset through ``/proc/self/clear_refs`` first).

* import of a 100,000-row CSV (exchange layout, every column filled) into an initialised empty
  database, through ``ExchangeService.import_files`` (validation of every row, duplicate and
  already-there checks, change-log entries, the backup before commit), vs a hand-written raw
  ``sqlite3`` import of the same file: ``csv`` reader + ``executemany`` into ``assessment`` in
  one transaction. Target: <= 3x.
* import of the same rows as XLSX vs only reading the file with openpyxl in read-only mode (the
  library the importer uses: it sees formulas as formulas, which python-calamine does not
  expose; calamine's read time is printed for comparison). Target: <= 2x.
* export of 1,000,000 assessments (the bench_core synthetic database) to CSV and to XLSX,
  with peak RSS growth. Target: < 100 MB each.
* signed exchange packages: export (``package export --since``) of a year of changes
  (100,000 assessments citing 1,000 evidence items, each with an attached file of 20 kB) and its
  import into a fresh copy (all checks, the backup and seal, the merge), with peak RSS; the CSV
  import of the same rows is printed beside it.

Run: ``.venv/bin/python benchmarks/bench_exchange.py`` (``--rows``, ``--export-rows``, ``--keep DIR``,
``--only packages`` for the package figures alone).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COLUMNS = ["actor", "measure", "effective_date", "status", "provenance", "confidence", "note", "recorded_by", "recorded_at"]
STATUSES = ["implemented", "partially_implemented", "planned", "not_implemented", "no_information"]
PROVENANCES = ["self_reported", "official_record", "third_party", "analyst_judgment"]


def _rss_kb(field: str) -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# --- the measured operations (run in children) --------------------------------------------------

def op_raw_csv(db: str, src: str) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    with open(src, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany(
            "INSERT INTO assessment (actor_key, measure_key, effective_date, status, provenance, confidence, note, "
            "recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
            reader,
        )
    con.execute("COMMIT")
    con.close()


def op_import(db: str, src: str) -> None:
    from tcbm_tracker.exchange.service import ExchangeService
    from tcbm_tracker.services.tracker import open_tracker

    t = open_tracker(Path(db), user="bench")
    try:
        report = ExchangeService(t).import_files([Path(src)])
        assert report.ok and report.assessments_added > 0, report.rejections[:3]
    finally:
        t.close()


def op_read_openpyxl(src: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(src, read_only=True, data_only=False)
    n = 0
    for row in wb["assessments"].iter_rows():
        for cell in row:
            _ = cell.value, cell.data_type
        n += 1
    wb.close()
    assert n > 1


def op_read_calamine(src: str) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(src)
    n = sum(1 for _ in wb.get_sheet_by_name("assessments").iter_rows())
    assert n > 1


def op_export(db: str, out: str) -> None:
    from tcbm_tracker.exchange.service import ExchangeService
    from tcbm_tracker.services.tracker import open_tracker

    t = open_tracker(Path(db))
    try:
        ExchangeService(t).export(Path(out))
    finally:
        t.close()


def op_package_export(db: str, out: str) -> None:
    from tcbm_tracker.exchange.packages.api import export_package
    from tcbm_tracker.services.tracker import open_tracker

    t = open_tracker(Path(db), user="bench")
    try:
        r = export_package(t, Path(out), since=dt.date(2020, 1, 1))
        assert r.assessments > 0 and r.evidence_files > 0
    finally:
        t.close()


def op_package_import(db: str, package: str) -> None:
    from tcbm_tracker.exchange.packages.api import import_package
    from tcbm_tracker.services.tracker import open_tracker

    t = open_tracker(Path(db), user="bench")
    try:
        r = import_package(t, Path(package), untrusted=True)
        assert r.assessments_added > 0 and r.evidence_added > 0
    finally:
        t.close()


OPS = {"raw_csv": op_raw_csv, "import": op_import, "read_openpyxl": op_read_openpyxl, "read_calamine": op_read_calamine,
       "export": op_export, "package_export": op_package_export, "package_import": op_package_import}


def child(name: str, args: list[str]) -> int:
    # Import what the operation needs before measuring, so that growth is the work's own.
    import openpyxl  # noqa: F401

    import tcbm_tracker.exchange.packages.merge  # noqa: F401
    import tcbm_tracker.exchange.packages.writer  # noqa: F401
    import tcbm_tracker.exchange.service  # noqa: F401
    import tcbm_tracker.services.tracker  # noqa: F401
    reset = _reset_peak()
    before = _rss_kb("VmRSS")
    start = time.perf_counter()
    OPS[name](*args)
    seconds = time.perf_counter() - start
    peak = _rss_kb("VmHWM")
    print(json.dumps({"seconds": seconds, "peak_rss_kb": peak, "growth_kb": peak - before if reset else None}))
    return 0


def run_child(name: str, *args: str | Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", name, *map(str, args)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- data ---------------------------------------------------------------------------------------

def write_rows(path: Path, n: int, actors: list[str], measures: list[str], seed: int) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        cell = i % (len(actors) * len(measures))
        day = dt.date(1990, 1, 1) + dt.timedelta(days=(i * 37) % 12000)
        at = (start + dt.timedelta(seconds=i * 13, microseconds=i % 997)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rows.append([actors[cell // len(measures)], measures[cell % len(measures)], day.isoformat(), rng.choice(STATUSES),
                     rng.choice(PROVENANCES), rng.choice(["high", "medium", "low"]),
                     f"Benchmark note {i}: national report, section {rng.randint(1, 40)}", rng.choice(["ana", "bo", "chen"]), at])
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerows(rows)
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("assessments")
        ws.append(COLUMNS)
        for r in rows:
            ws.append(r)
        wb.save(path)


def build_package_source(target: Path, src_csv: Path, n_rows: int, n_files: int, seed: int) -> None:
    """A copy holding a year of changes: ``n_files`` evidence items with attached files, and the
    CSV's rows, one in five citing one of them."""
    from tcbm_tracker.exchange.service import ExchangeService
    from tcbm_tracker.services.evidence import EvidenceInput, insert_evidence
    from tcbm_tracker.services.tracker import open_tracker

    rng = random.Random(seed)
    files = target.parent / "evidence-files"
    files.mkdir(exist_ok=True)
    t = open_tracker(target, user="bench")
    try:
        prepared = []
        for i in range(n_files):
            f = files / f"report-{i}.pdf"
            f.write_bytes(b"%PDF-1.4\n" + rng.randbytes(20_000))
            prepared.append(t.evidence.prepare(EvidenceInput(title=f"National report {i}", symbol=f"A/AC.105/{1000 + i}",
                                                             date="2020-01-01", file=f)))
        with t.db.write() as s:
            for p in prepared:
                insert_evidence(s, p, "bench")
        cited = target.parent / "cited.csv"
        with src_csv.open(newline="", encoding="utf-8") as fh, cited.open("w", newline="", encoding="utf-8") as out:
            reader, writer = csv.reader(fh), csv.writer(out)
            writer.writerow([*next(reader), "evidence"])
            for i, row in enumerate(reader):
                if i >= n_rows:
                    break
                writer.writerow([*row, str(1 + i % n_files) if i % 5 == 0 else ""])
        ExchangeService(t).import_files([cited])
    finally:
        t.close()


def package_figures(folder: Path, fresh: Any, src_csv: Path, rows: int, seed: int) -> dict[str, dict[str, Any]]:
    source = folder / "package-source.sqlite"
    if not source.exists():
        build_package_source(fresh("package-source.sqlite"), src_csv, rows, 1_000, seed)
    package = folder / "year.tcbm"
    package.unlink(missing_ok=True)
    results = {"package_export": run_child("package_export", source, package)}
    results["package_import"] = run_child("package_import", fresh("package-target.sqlite"), package)
    results["package_import"]["size_mb"] = package.stat().st_size / 1024 / 1024
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20130729)
    parser.add_argument("--keep", type=Path, help="keep the files in this folder (the 1M database is reused)")
    parser.add_argument("--only", choices=["packages"], help="only the exchange package figures")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child[0], args.child[1:])

    from tcbm_tracker.services.setup import initialise
    from tcbm_tracker.services.tracker import open_tracker

    folder = args.keep or Path(tempfile.mkdtemp(prefix="tcbm-bench-exchange-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TCBM_TRACKER_BACKUP_DIR", str(folder / "backups"))
    os.environ.setdefault("TCBM_TRACKER_CONFIG_DIR", str(folder / "config"))  # the signing key, the trust list
    template = folder / "template.sqlite"
    if not template.exists():
        initialise(template, user="bench")
    t = open_tracker(template)
    actors, measures = [a.key for a in t.reference.actors()], [m.key for m in t.reference.measures()]
    t.close()
    src_csv, src_xlsx = folder / f"rows-{args.rows}.csv", folder / f"rows-{args.rows}.xlsx"
    if not src_csv.exists():
        write_rows(src_csv, args.rows, actors, measures, args.seed)
    if not src_xlsx.exists():
        write_rows(src_xlsx, args.rows, actors, measures, args.seed)

    def fresh(name: str) -> Path:
        target = folder / name
        for side in ("", "-wal", "-shm"):
            Path(f"{target}{side}").unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return target

    def mb(kb: int | None) -> str:
        return "n/a" if kb is None else f"{kb / 1024:,.0f} MB"

    results: dict[str, dict[str, Any]] = {}
    if args.only == "packages":
        results["import_csv"] = run_child("import", fresh("imp.sqlite"), src_csv)
        results.update(package_figures(folder, fresh, src_csv, args.rows, args.seed))
        print_packages(results, args.rows, mb)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        return 0
    results["raw_csv"] = run_child("raw_csv", fresh("raw.sqlite"), src_csv)
    results["import_csv"] = run_child("import", fresh("imp.sqlite"), src_csv)
    results["read_openpyxl"] = run_child("read_openpyxl", src_xlsx)
    results["read_calamine"] = run_child("read_calamine", src_xlsx)
    results["import_xlsx"] = run_child("import", fresh("impx.sqlite"), src_xlsx)

    sys.path.insert(0, str(HERE))
    from bench_core import build_database

    big = folder / f"export-{args.export_rows}.sqlite"
    if not big.exists():
        build_database(big, args.export_rows, args.seed, dt.date.today())
    results["export_csv"] = run_child("export", big, folder / "export.csv")
    results["export_xlsx"] = run_child("export", big, folder / "export.xlsx")
    results.update(package_figures(folder, fresh, src_csv, args.rows, args.seed))

    print(f"TCBM Tracker exchange benchmark, {dt.date.today()}, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'measure':<58}{'seconds':>9}{'peak RSS':>11}{'growth':>10}")
    for key, label in [
        ("raw_csv", f"raw sqlite3 executemany of {args.rows:,} CSV rows"),
        ("import_csv", f"import of the {args.rows:,}-row CSV"),
        ("read_openpyxl", f"openpyxl read-only: read the {args.rows:,}-row XLSX"),
        ("read_calamine", f"python-calamine: read the {args.rows:,}-row XLSX"),
        ("import_xlsx", f"import of the {args.rows:,}-row XLSX"),
        ("export_csv", f"export of {args.export_rows:,} assessments to CSV"),
        ("export_xlsx", f"export of {args.export_rows:,} assessments to XLSX"),
    ]:
        r = results[key]
        print(f"{label:<58}{r['seconds']:>9.2f}{mb(r['peak_rss_kb']):>11}{mb(r['growth_kb']):>10}")
    print_packages(results, args.rows, mb)
    csv_ratio = results["import_csv"]["seconds"] / results["raw_csv"]["seconds"]
    xlsx_ratio = results["import_xlsx"]["seconds"] / results["read_openpyxl"]["seconds"]
    checks = [
        (f"CSV import vs raw executemany: {csv_ratio:.2f}x", csv_ratio <= 3.0, "<= 3x"),
        (f"XLSX import vs openpyxl read-only read: {xlsx_ratio:.2f}x", xlsx_ratio <= 2.0, "<= 2x"),
    ]
    for key in ("export_csv", "export_xlsx"):
        growth = results[key]["growth_kb"]
        checks.append((f"{key.replace('_', ' to ').upper().replace('EXPORT TO', 'export to')} peak growth {mb(growth)}",
                       growth is not None and growth < 100 * 1024, "< 100 MB"))
    ok = True
    for text, met, target in checks:
        print(f"{text} (target {target}): {'met' if met else 'MISSED'}")
        ok = ok and met
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


def print_packages(results: dict[str, dict[str, Any]], rows: int, mb: Any) -> None:
    print(f"{'exchange packages':<58}{'seconds':>9}{'peak RSS':>11}{'growth':>10}")
    for key, label in [
        ("import_csv", f"(beside it) import of the {rows:,}-row CSV"),
        ("package_export", f"package export: {rows:,} assessments, 1,000 files"),
        ("package_import", "package import of it into a fresh copy"),
    ]:
        r = results[key]
        print(f"{label:<58}{r['seconds']:>9.2f}{mb(r['peak_rss_kb']):>11}{mb(r['growth_kb']):>10}")
    ratio = results["package_import"]["seconds"] / results["import_csv"]["seconds"]
    print(f"package size {results['package_import']['size_mb']:,.1f} MB; package import vs CSV import of the same rows: "
          f"{ratio:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
