"""`negsim --version` and the help of every subcommand."""

from __future__ import annotations

import argparse

import pytest

import sim
from sim.cli import _parser, main


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_version_prints_the_package_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"negsim {sim.__version__}\n"


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_subcommand_help_ends_with_examples(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    head, _, tail = text.partition("\nexamples:\n")
    assert tail, text
    lines = tail.splitlines()
    assert 2 <= len(lines) <= 3, tail
    assert all(line.startswith("  negsim ") for line in lines), tail
    assert any(line.startswith(f"  negsim {command}") for line in lines), tail


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_argument_has_help(command):
    for action in _subcommands()[command]._actions:
        assert action.help, f"negsim {command}: {action.dest} has no help"


def test_the_top_level_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "\nexamples:\n  negsim run " in capsys.readouterr().out
