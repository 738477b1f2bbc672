"""The report command as a user runs it, in a new process, against a bare reportlab process.

``tcbm-tracker --db DB report actor FRA --out f.pdf`` is started as a new process (the console
script next to this interpreter) and timed from outside, beside:

* a bare process: ``python -c`` that imports reportlab, registers the same three DejaVu faces
  and builds a comparable 5-page document (a title, paragraphs, a 37-row table of measures);
* the interpreter alone (``python -c pass``), the floor both pay;
* SQLAlchemy's import alone (``python -c "import sqlalchemy"``), which the command avoids.

Then one process runs the command's steps itself and prints where the time goes: interpreter
start, the CLI's imports and argument parsing, the imports the report needs (services,
database layer, reportlab, report modules), font parsing, the check of the data before printing
(the change log's chain, incremental), the database read, layout and PDF assembly, and the
write (temporary file, fsync, rename). Also shown: the cost of shaping, an
all-Arabic summary against the same summary in Latin script, in process.

Used by ``bench_reports.py`` (``--skip-command`` leaves it out); run alone with
``python benchmarks/bench_command.py DB [--repeat N] [--before DIR] [--compiled]``, where DIR is
an older checkout (``git archive COMMIT | tar -x -C DIR``) whose same command is timed in the same
rounds, and ``--compiled`` compiles the project's modules to bytecode first, as an installed copy
has them (without it, where ``PYTHONDONTWRITEBYTECODE`` is set, every run compiles them).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMAND_TARGET = 2.0
# Modules one Latin-script report must not load (checked in the breakdown's process, which runs
# the command's own steps): the GUI, migrations, the ORM, SQLAlchemy itself and what it pulls in
# (asyncio, ssl, importlib.metadata, email), cryptography's key serialization, the other
# commands' modules, the batch machinery and the shaping code.
UNWANTED = ("PySide6", "alembic", "sqlmodel", "pydantic", "sqlalchemy", "asyncio", "ssl", "importlib.metadata", "email",
            "cryptography.hazmat.primitives.serialization", "tcbm_tracker.cli.data_commands", "tcbm_tracker.cli.output",
            "tcbm_tracker.cli.integrity_commands", "tcbm_tracker.cli.package_commands", "tcbm_tracker.storage.server_database",
            "multiprocessing", "tcbm_tracker.reports.batch", "uharfbuzz", "bidi", "tcbm_tracker.reports.shaping")

BARE = r"""
import sys
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
folder, out = sys.argv[1], sys.argv[2]
for name, file in (("DejaVuSans", "DejaVuSans.ttf"), ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf"),
                   ("DejaVuSans-Oblique", "DejaVuSans-Oblique.ttf")):
    pdfmetrics.registerFont(TTFont(name, f"{folder}/{file}"))
addMapping("DejaVuSans", 0, 0, "DejaVuSans"); addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
addMapping("DejaVuSans", 0, 1, "DejaVuSans-Oblique"); addMapping("DejaVuSans", 1, 1, "DejaVuSans-Bold")
body = ParagraphStyle("b", fontName="DejaVuSans", fontSize=9, leading=11.5)
cell = ParagraphStyle("c", fontName="DejaVuSans", fontSize=8, leading=10)
title = ParagraphStyle("t", fontName="DejaVuSans-Bold", fontSize=20, leading=24)
story = [Paragraph("France", title), Spacer(1, 6)]
story += [Paragraph("Statuses in force as of 2025-06-01. " * 6, body) for _ in range(4)]
rows = [["Measure", "Status", "Provenance", "Effective", "Evidence"]]
for i in range(37):
    rows.append([Paragraph(f"<b>LTS-B.{i}</b> Perform conjunction assessment during all orbital phases of "
                           f"controlled flight<br/>A/74/20, annex II, guideline B.{i}", cell),
                 "Implemented", "Official record\nHigh confidence", "2023-06-01", f"[{i}]"])
t = Table(rows, colWidths=[230, 80, 90, 55, 45], repeatRows=1)
t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "DejaVuSans", 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("LINEBELOW", (0, 0), (-1, -1), 0.3, "#CCCCCC")]))
story += [t, Spacer(1, 12)]
story += [Paragraph(f"[{i}] Test: national report on the LTS guidelines, 2023-02-06; language: en. " * 2, body)
          for i in range(75)]
doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                        bottomMargin=20 * mm)
doc.build(story)
print(doc.page)
"""

STEPS = r"""
import gc, json, os, sys, time
unwanted = sys.argv[4].split(",")
clock = time.perf_counter
marks = [("start", clock())]
gc.disable()  # as the command does for one report
db, out, folder = sys.argv[1], sys.argv[2], sys.argv[3]
from tcbm_tracker.cli import build_parser
argv = ["--db", db, "report", "actor", "FRA", "--out", out]
args = build_parser(argv).parse_args(argv)
marks.append(("CLI imports and arguments", clock()))
from tcbm_tracker.reports.actor_summary import actor_summary_flowables, layout_for
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.reports.document import render_pdf
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.tracker import open_tracker
marks.append(("imports the report needs", clock()))
from tcbm_tracker.reports.fonts import register_fonts
register_fonts()
marks.append(("font parsing (3 DejaVu faces)", clock()))
t = open_tracker(args.db)
t.report_check.require()
marks.append(("check of the data before printing", clock()))
data = actor_summary_data(t, "FRA")
marks.append(("database read", clock()))
text = SafeText()
flowables = actor_summary_flowables(data, text)
result = render_pdf(out, flowables, layout_for(data), data.context, text)
marks.append(("layout, PDF assembly and write", clock()))
payload = os.urandom(os.path.getsize(out))
tmp = folder + "/write-probe.tmp"
with open(tmp, "wb") as f:
    f.write(payload); f.flush(); os.fsync(f.fileno())
os.replace(tmp, folder + "/write-probe.pdf")
marks.append(("write probe", clock()))
t.close()
gc.freeze()
print(json.dumps({"marks": marks, "pages": result.pages, "modules": len(sys.modules),
                  "unwanted": [name for name in unwanted if name in sys.modules]}))
"""


def _run(argv: list[str], source: Path | None = None) -> tuple[float, str, float]:
    """(wall seconds, standard output, CPU seconds of the child: user + system); ``source``: a
    checkout whose ``tcbm_tracker`` the child imports instead of this one."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, done.stdout, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_command(db: Path, folder: Path, repeat: int = 7, before: Path | None = None, compiled: bool = False) -> bool:
    """Time the command; True when its process loaded none of ``UNWANTED``. ``before``: another
    checkout of the project (``git archive`` of an older commit), whose same command is timed in
    the same rounds, for a before/after figure. ``compiled``: compile the project's modules to
    bytecode first (``__pycache__``), as an installed copy has them; otherwise, where
    ``PYTHONDONTWRITEBYTECODE`` is set and no bytecode was written, every run compiles them from
    source (the bare process's reportlab is compiled at install either way)."""
    import compileall

    import tcbm_tracker
    from tcbm_tracker.shipped import fonts_dir

    if compiled:
        for package in (Path(tcbm_tracker.__file__).parent, *([before / "tcbm_tracker"] if before else [])):
            compileall.compile_dir(str(package), quiet=1)
    print(f"the project's modules: {'compiled to bytecode first' if compiled else 'as found (no bytecode is written)'}")

    python = sys.executable
    script = Path(python).with_name("tcbm-tracker")
    command = [str(script), "--db", str(db), "report", "actor", "FRA", "--out", str(folder / "command.pdf")]
    bare = [python, "-c", BARE, str(fonts_dir()), str(folder / "bare-process.pdf")]
    empty = [python, "-c", "pass"]
    runs: list[tuple[str, list[str], Path | None]] = [("command", command, None), ("bare", bare, None),
                                                      ("interpreter", empty, None),
                                                      ("sqlalchemy", [python, "-c", "import sqlalchemy"], None)]
    if before is not None:
        runs.append(("before", [*command[:-1], str(folder / "before.pdf")], before))
    for _name, argv, source in runs:
        _run(argv, source)  # warm the file cache and the bytecode
    times: dict[str, list[float]] = {name: [] for name, _argv, _source in runs}
    cpu: dict[str, list[float]] = {name: [] for name, _argv, _source in runs}
    for _ in range(repeat):  # interleaved, so that a burst of load hits all alike
        for name, argv, source in runs:
            wall, _out, used = _run(argv, source)
            times[name].append(wall)
            cpu[name].append(used)
    pages = _run(bare)[1].strip()
    c, b, i = (statistics.median(times[k]) for k in ("command", "bare", "interpreter"))
    cc, cb, ci = (statistics.median(cpu[k]) for k in ("command", "bare", "interpreter"))
    print(f"the command in a new process (report actor FRA), median of {repeat} (wall clock; CPU time, steadier on a shared machine):")
    print(f"  tcbm-tracker report actor FRA        {c * 1000:7.0f} ms   min {min(times['command']) * 1000:7.0f} ms   CPU {cc * 1000:6.0f} ms")
    print(f"  bare reportlab process ({pages} pages)    {b * 1000:7.0f} ms   min {min(times['bare']) * 1000:7.0f} ms   CPU {cb * 1000:6.0f} ms")
    print(f"  interpreter alone (python -c pass)   {i * 1000:7.0f} ms   min {min(times['interpreter']) * 1000:7.0f} ms   CPU {ci * 1000:6.0f} ms")
    sa = statistics.median(cpu["sqlalchemy"])
    print(f"  SQLAlchemy's import alone (python -c 'import sqlalchemy'): CPU {sa * 1000:.0f} ms, {(sa - ci) * 1000:.0f} ms "
          f"above the interpreter (the command no longer pays it)")
    if before is not None:
        print(f"  the same command from {before}: {statistics.median(times['before']) * 1000:7.0f} ms   "
              f"min {min(times['before']) * 1000:7.0f} ms   CPU {statistics.median(cpu['before']) * 1000:6.0f} ms "
              f"(CPU range {min(cpu['before']) * 1000:.0f}-{max(cpu['before']) * 1000:.0f} ms; this code's "
              f"{min(cpu['command']) * 1000:.0f}-{max(cpu['command']) * 1000:.0f} ms, the bare process's "
              f"{min(cpu['bare']) * 1000:.0f}-{max(cpu['bare']) * 1000:.0f} ms)")
        print(f"  ratio before / bare process: CPU {statistics.median(cpu['before']) / cb:.2f}x")
    verdict = "meets" if cc / cb <= COMMAND_TARGET else "MISSES"  # CPU time: the steadier figure
    print(f"  ratio command / bare process: wall {c / b:.2f}x median, {min(times['command']) / min(times['bare']):.2f}x best; "
          f"CPU {cc / cb:.2f}x ({verdict} the {COMMAND_TARGET}x target)")
    return _breakdown(db, folder, i, repeat)


def _breakdown(db: Path, folder: Path, interpreter: float, repeat: int) -> bool:
    """Print where the time goes; True when none of ``UNWANTED`` was loaded."""
    runs = []
    for _ in range(max(3, repeat // 2)):
        wall, out, _cpu = _run([sys.executable, "-c", STEPS, str(db), str(folder / "steps.pdf"), str(folder), ",".join(UNWANTED)])
        runs.append((wall, json.loads(out)))
    wall, info = sorted(runs, key=lambda r: r[0])[len(runs) // 2]  # the median run
    marks = info["marks"]
    steps = {name: t - marks[n][1] for n, (name, t) in enumerate(marks[1:])}
    write = steps.pop("write probe")
    steps["layout, PDF assembly and write"] -= write
    inside = marks[-2][1] - marks[0][1]
    print(f"  where the command's time goes (median of {len(runs)} runs, {wall * 1000:.0f} ms in all):")
    print(f"    interpreter start (python -c pass)   {interpreter * 1000:7.0f} ms")
    for name, t in steps.items():
        print(f"    {name:<36} {t * 1000:7.0f} ms")
    print(f"    write (temporary file, fsync, rename) {write * 1000:6.0f} ms")
    print(f"    exit and the rest                    {(wall - interpreter - inside) * 1000:7.0f} ms")
    loaded = info["unwanted"]
    print(f"    {info['modules']} modules loaded; of the {len(UNWANTED)} a Latin report must not load: "
          f"{', '.join(loaded) + ' (CHECK FAILED)' if loaded else 'none (check passed)'}")
    return not loaded


def bench_shaping(t: object, folder: Path, repeat: int = 5) -> None:
    """An all-Arabic summary against the same summary in Latin script (same lengths), in process."""
    import dataclasses

    from tcbm_tracker.reports.actor_summary import render_actor_summary
    from tcbm_tracker.reports.data import actor_summary_data

    data = actor_summary_data(t, "FRA")  # type: ignore[arg-type]
    arabic_words = "برنامج بناء القدرات لوكالة الفضاء الوطنية في مجال الاستدامة الطويلة الأجل".split()
    latin_words = "Programme de renforcement des capacités pour l'agence spatiale nationale sur la durabilité".split()

    def variant(words: list[str]) -> object:
        def say(n: int) -> str:
            return " ".join(words[i % len(words)] for i in range(n))

        d = data.dossier
        entries = tuple(dataclasses.replace(e, assessment=dataclasses.replace(e.assessment, note=say(40)))
                        if e.assessment is not None else e for e in d.entries)
        actor = dataclasses.replace(d.actor, name=say(3), note=say(30))
        return dataclasses.replace(data, dossier=dataclasses.replace(d, actor=actor, entries=entries))

    arabic, latin = variant(arabic_words), variant(latin_words)
    render_actor_summary(arabic, folder / "arabic.pdf")  # type: ignore[arg-type]  # warm-up: fonts
    render_actor_summary(latin, folder / "latin.pdf")  # type: ignore[arg-type]
    a_times, l_times, plain_times = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        render_actor_summary(arabic, folder / "arabic.pdf")  # type: ignore[arg-type]
        a_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_actor_summary(latin, folder / "latin.pdf")  # type: ignore[arg-type]
        l_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_actor_summary(data, folder / "plain.pdf")
        plain_times.append(time.perf_counter() - start)
    a, la, p = statistics.median(a_times), statistics.median(l_times), statistics.median(plain_times)
    print(f"shaping: the FRA summary with every note and name in Arabic against the same in Latin script, median of {repeat}:")
    print(f"  all-Arabic {a * 1000:7.1f} ms, Latin {la * 1000:7.1f} ms: shaping and bidi cost {(a - la) * 1000:.1f} ms "
          f"({a / la:.2f}x); the usual summary {p * 1000:.1f} ms")


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, help="a database made by bench_reports.py (--keep DIR keeps it)")
    parser.add_argument("--repeat", type=int, default=7, help="rounds of the command, the bare process and the interpreter")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="another checkout (git archive of an older commit): its command is timed in the same rounds")
    parser.add_argument("--compiled", action="store_true",
                        help="compile the project's modules (and DIR's) to bytecode first, as an installed copy has them")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        passed = bench_command(options.db, Path(tmp), options.repeat, options.before, options.compiled)
    sys.exit(0 if passed else 1)
