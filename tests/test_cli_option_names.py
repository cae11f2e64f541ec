"""Option names that survive every shell: none holds a quote or a space (a quote breaks bash and PowerShell when
a command with it is pasted or logged); a renamed option keeps working under its old name."""

from __future__ import annotations

import re
import subprocess
import sys

import typer

from energieplanologie.cli import app


def _commands(group, prefix: str = "") -> list[tuple[str, object]]:
    found = [(prefix or group.name or "", group)]
    if hasattr(group, "commands"):  # a group (typer carries its own click)
        for name, command in group.commands.items():
            found += _commands(command, f"{prefix} {name}".strip())
    return found


def test_no_option_name_holds_a_quote_or_a_space():
    names = []
    for path, command in _commands(typer.main.get_command(app)):
        for param in (p for p in command.params if p.param_type_name == "option"):
            names += [(path, opt) for opt in (*param.opts, *param.secondary_opts)]
    assert len(names) > 50  # every command's options were seen
    bad = [(path, opt) for path, opt in names if not re.fullmatch(r"-{1,2}[A-Za-z0-9][A-Za-z0-9-]*", opt)]
    assert bad == []
    assert ("balance", "--alle-scenarios") in names and ("balance", "--een-scenario") in names


def test_the_old_name_with_a_quote_is_still_accepted_but_not_shown():
    old = subprocess.run([sys.executable, "-m", "energieplanologie", "balance", "--alle-scenario's", "--help"],
                         capture_output=True, text=True, timeout=300)
    assert old.returncode == 0, old.stderr
    assert "--alle-scenarios" in old.stdout and "scenario's/" not in old.stdout
