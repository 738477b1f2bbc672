"""The command line registers only the module of the command it is given (one report does not
import every command's code), and that changes nothing a user sees: the same commands, the same
help for each, global options before or after the command, the main help listing them all."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io

import pytest

from tcbm_tracker import cli


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def _help(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parser.parse_args(argv)
    return out.getvalue()


def test_the_table_names_exactly_the_commands_each_module_registers() -> None:
    for module, names in cli.COMMAND_MODULES:
        parser = cli._Parser(prog="tcbm-tracker")
        sub = parser.add_subparsers(dest="command", parser_class=cli._CommandParser)
        importlib.import_module(f"tcbm_tracker.cli.{module}").register(sub)
        assert tuple(_choices(parser)) == names, module
    assert _choices(cli.build_parser()) == [n for _module, names in cli.COMMAND_MODULES for n in names]


@pytest.mark.parametrize(("argv", "command"), [
    (["report", "actor", "FRA"], "report"),
    (["--db", "report", "matrix"], "matrix"),       # an option's value is not the command
    (["--db=matrix", "report"], "report"),
    (["--us", "init", "report"], "report"),         # an abbreviated option takes its value too
    (["--debug", "--portable", "verify"], "verify"),
    (["--", "show", "FRA"], "show"),
    (["--help"], None), ([], None), (["--version"], None),
    (["-h", "report"], None), (["--he", "report"], None),  # the main help, whatever follows
    (["reprot", "actor"], None),                    # a misspelt command: every module, argparse says what is wrong
])
def test_the_command_is_found_among_the_options(argv: list[str], command: str | None) -> None:
    assert cli.command_named(argv) == command


def test_every_command_has_the_same_help_and_options_with_its_module_alone() -> None:
    full = cli.build_parser()
    for _module, names in cli.COMMAND_MODULES:
        for name in names:
            light = cli.build_parser([name, "--help"])
            assert _choices(light) == [n for n in _choices(full) if n in _module_of(name)]
            assert _help(light, [name, "--help"]) == _help(full, [name, "--help"]), name
    argv = ["report", "actor", "FRA", "--out", "f.pdf", "--db", "x.sqlite", "--user", "ana"]
    light_args = cli.build_parser(argv).parse_args(argv)
    assert light_args == cli.build_parser().parse_args(argv)
    assert (light_args.db, light_args.user, light_args.report_command) == ("x.sqlite", "ana", "actor")


def _module_of(name: str) -> tuple[str, ...]:
    return next(names for _module, names in cli.COMMAND_MODULES if name in names)


def test_the_main_help_lists_every_command_whatever_follows_it() -> None:
    full = _help(cli.build_parser(), ["--help"])
    for argv in (["--help", "report"], ["-h", "report", "actor"], ["--db", "x", "--help", "verify"]):
        assert _help(cli.build_parser(argv), argv) == full, argv


def test_a_report_registers_the_report_module_only() -> None:
    parser = cli.build_parser(["--db", "x.sqlite", "report", "actor", "FRA", "--out", "f.pdf"])
    assert _choices(parser) == ["report"]
    assert "matrix" in _choices(cli.build_parser(["--db", "x.sqlite"]))  # no command: the GUI, every module
