"""Finding and running the engine (``energieplanologie_qgis.engine``) with real processes."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("qgis.core")

from conftest import engine_eval
from energieplanologie_qgis.engine import (
    ENV_VAR,
    Engine,
    EngineCanceled,
    EngineFailed,
    EngineNotFound,
    engine_command,
    engine_environment,
    engine_message,
    find_engine,
    quote_arg,
    run_engine,
    setup_commands,
    setup_instructions,
    shell_command,
)
from qgis.core import QgsProcessingFeedback


class RecordingFeedback(QgsProcessingFeedback):
    """A real Processing feedback that also remembers the progress texts and values it was given."""

    def __init__(self, cancel_at_progress: bool = False) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.values: list[float] = []
        self.console: list[str] = []
        self.cancel_at_progress = cancel_at_progress

    def setProgressText(self, text: str) -> None:
        self.texts.append(text)
        super().setProgressText(text)

    def setProgress(self, progress: float) -> None:
        self.values.append(progress)
        super().setProgress(progress)
        if self.cancel_at_progress:
            self.cancel()

    def pushConsoleInfo(self, info: str) -> None:
        self.console.append(info)
        super().pushConsoleInfo(info)


def python_child(code: str) -> Engine:
    """An 'engine' that is a real Python process running ``code`` (its CLI arguments land in sys.argv)."""
    return Engine((sys.executable, "-c", textwrap.dedent(code)), "0", "test")


def test_engine_command_forms(tmp_path: Path) -> None:
    # A virtual environment folder means its bin/python; a console script is run as is; any other file is a
    # Python that gets "-m energieplanologie".
    venv = tmp_path / "ep"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    assert engine_command(venv) == (str(venv / "bin" / "python"), "-m", "energieplanologie")
    assert engine_command("/opt/x/bin/energieplanologie") == ("/opt/x/bin/energieplanologie",)
    assert engine_command("~/py") == (str(Path.home() / "py"), "-m", "energieplanologie")


def test_find_engine_through_env_var_reports_the_core_version(engine_python: str) -> None:
    engine = find_engine(setting="", environ={ENV_VAR: engine_python}, search_path="")
    assert engine.command == (engine_python, "-m", "energieplanologie")
    assert engine.origin == f"omgevingsvariabele {ENV_VAR}"
    assert engine.version == engine_eval(engine_python, "import energieplanologie; print(energieplanologie.__version__)")


def test_setting_wins_over_env_var_and_path(engine_python: str, tmp_path: Path) -> None:
    bogus = tmp_path / "bestaat-niet" / "python"
    engine = find_engine(setting=engine_python, environ={ENV_VAR: str(bogus)}, search_path="")
    assert engine.origin == "instelling energieplanologie/engine_python"


def test_engine_on_path_is_found(engine_python: str) -> None:
    bindir = Path(engine_python).parent
    if not (bindir / "energieplanologie").exists():
        pytest.skip("de engine-omgeving heeft geen console-script energieplanologie")
    engine = find_engine(setting="", environ={}, search_path=str(bindir))
    assert engine.command == (str(bindir / "energieplanologie"),)
    assert engine.origin == "PATH"


def test_not_found_names_every_candidate_and_why(tmp_path: Path) -> None:
    bogus = tmp_path / "geen" / "python"
    with pytest.raises(EngineNotFound) as info:
        # /usr/bin/python3 is QGIS's own Python: it exists but has no energieplanologie.
        find_engine(setting="/usr/bin/python3", environ={ENV_VAR: str(bogus)}, search_path=str(tmp_path))
    problems = info.value.problems
    assert problems[0] == "PATH: geen programma energieplanologie"
    assert f"{bogus} bestaat niet" in problems[2]
    assert "instelling energieplanologie/engine_python" in problems[1]
    assert "zonder het pakket energieplanologie" in problems[1]


def test_setup_instructions_name_engine_installeren_and_give_exact_commands() -> None:
    text = setup_instructions(folder="/home/anna/ep", wheel="/opt/energieplanologie-0.1.0-py3-none-any.whl",
                              windows=False)
    assert text.startswith("Installeer de engine met Plugins › Energieplanologie › Engine installeren…")
    assert "qgis_process run energieplanologie:engine_install" in text
    assert "    python3 -m venv /home/anna/ep" in text
    assert "    /home/anna/ep/bin/python -m pip install /opt/energieplanologie-0.1.0-py3-none-any.whl" in text
    assert "export ENERGIEPLANOLOGIE_ENGINE=/home/anna/ep/bin/python" in text
    assert "pip install energieplanologie\n" not in text + "\n"  # not on PyPI: the wheel of the plugin instead


# A Windows user's profile: spaces, an accent and an apostrophe (hand-quoted expectations below).
WIN_FOLDER = "C:/Users/Jan de Vries/AppData/Roaming/QGIS/QGIS3/profiles/Zoë's profiel/energieplanologie-engine"
WIN_WHEEL = "C:/Users/Jan de Vries/Downloads/energieplanologie_qgis/wheels/energieplanologie-0.1.0-py3-none-any.whl"


def test_windows_commands_are_quoted_for_powershell() -> None:
    venv, install = setup_commands(folder=WIN_FOLDER, wheel=WIN_WHEEL, windows=True)
    folder = r"C:\Users\Jan de Vries\AppData\Roaming\QGIS\QGIS3\profiles\Zoë's profiel\energieplanologie-engine"
    quoted = folder.replace("'", "''")
    assert venv == f"py -m venv '{quoted}'"
    assert install == (f"& '{quoted}\\Scripts\\python.exe' -m pip install "
                       r"'C:\Users\Jan de Vries\Downloads\energieplanologie_qgis\wheels\energieplanologie-0.1.0-py3-none-any.whl'")
    text = setup_instructions(folder=WIN_FOLDER, wheel=WIN_WHEEL, windows=True)
    assert f"setx ENERGIEPLANOLOGIE_ENGINE '{quoted}\\Scripts\\python.exe'" in text
    assert "PowerShell" in text


def test_commands_for_cmd_use_double_quotes_and_windows_backslash_rules() -> None:
    argv = [r"C:\Users\Jan de Vries\engine\Scripts\python.exe", "-m", "energieplanologie", "demo", "--out",
            "C:\\Users\\Zoë\\R&D uitvoer\\", 'een "titel"']
    # The trailing backslash is doubled so it does not escape the closing quote; an inner quote becomes \";
    # & is quoted so cmd does not start a second command.
    assert shell_command(argv, "cmd") == (
        r'"C:\Users\Jan de Vries\engine\Scripts\python.exe" -m energieplanologie demo --out '
        r'"C:\Users\Zoë\R&D uitvoer\\" "een \"titel\""')


def test_commands_for_sh_split_back_into_the_same_arguments() -> None:
    import shlex

    argv = ["/home/zoë/Jan de Vries/engine/bin/python", "-m", "energieplanologie", "balance", "--out",
            "/tmp/uit $HOME `x`", "Zoë's kaart", ""]
    line = shell_command(argv, "sh")
    assert shlex.split(line) == argv
    assert quote_arg("--een-scenario", "powershell") == "--een-scenario"  # plain options stay readable
    with pytest.raises(ValueError, match="onbekende shell"):
        quote_arg("x", "fish")


def test_the_engine_command_in_the_log_is_quoted(engine_python: str, tmp_path: Path) -> None:
    # What an algorithm writes to the log (pushCommandInfo) runs as is when pasted into a shell.
    import shlex

    engine = find_engine(setting=engine_python, environ={}, search_path="")
    out = tmp_path / "Jan de Vries" / "Zoë's uitvoer"
    line = shell_command(engine.argv("balance", "--out", str(out), "--een-scenario"), "sh")
    assert shlex.split(line) == [*engine.command, "balance", "--out", str(out), "--een-scenario"]


def test_engine_environment_drops_qgis_python_and_proj_paths() -> None:
    env = engine_environment({"PATH": "/usr/bin", "PYTHONPATH": "/usr/share/qgis/python", "PROJ_LIB": "/x",
                              "HOME": "/home/anna"})
    assert "PYTHONPATH" not in env and "PROJ_LIB" not in env
    assert env["PATH"] == "/usr/bin" and env["HOME"] == "/home/anna" and env["PYTHONIOENCODING"] == "utf-8"


def test_progress_lines_drive_feedback_and_other_lines_go_to_console() -> None:
    engine = python_child("""
        import sys
        assert sys.argv[1:] == ["stap", "--machine-progress"], sys.argv
        for pct, stage in ((0, "lezen"), (50, "rekenen"), (100, "klaar")):
            sys.stderr.write('@@progress {"pct": %s, "stage": "%s"}\\n' % (pct, stage))
        sys.stderr.write("let op: 2 rijen zonder jaar\\n")
        print('{"ok": true}')
    """)
    feedback = RecordingFeedback()
    result = run_engine(engine, ["stap"], feedback, progress_range=(10.0, 90.0))
    # 0/50/100 % of the engine map onto 10 + 80 * pct/100 of the bar.
    assert feedback.values == [10.0, 50.0, 90.0]
    assert feedback.texts == ["lezen", "rekenen", "klaar"]
    assert feedback.console == ["let op: 2 rijen zonder jaar"]
    assert result.messages == ["let op: 2 rijen zonder jaar"]
    assert result.json() == {"ok": True}


def test_cancel_stops_the_engine_process(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    engine = python_child(f"""
        import os, sys, time
        open({str(pidfile)!r}, "w").write(str(os.getpid()))
        sys.stderr.write('@@progress {{"pct": 1, "stage": "bezig"}}\\n'); sys.stderr.flush()
        time.sleep(600)
    """)
    feedback = RecordingFeedback(cancel_at_progress=True)
    with pytest.raises(EngineCanceled, match="Afgebroken"):
        run_engine(engine, [], feedback)
    pid = int(pidfile.read_text())
    # The process was reaped by run_engine: signalling it now finds nothing.
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_failure_gives_the_engine_message_not_a_traceback() -> None:
    engine = python_child("""
        import sys
        sys.stderr.write('Traceback (most recent call last):\\n  File "cli.py", line 3, in <module>\\n'
                         'energieplanologie.ReadError: bestand x.gpkg bestaat niet\\n')
        sys.exit(3)
    """)
    with pytest.raises(EngineFailed) as info:
        run_engine(engine, [], None)
    assert info.value.returncode == 3
    assert str(info.value) == ("De engine stopte met foutcode 3: interne fout in de engine: "
                               "energieplanologie.ReadError: bestand x.gpkg bestaat niet")


def test_a_rich_traceback_gives_its_last_line(engine_python: str, tmp_path: Path) -> None:
    # An uncaught error in a typer command is drawn by rich: a box with the source code, then "Error: message".
    script = tmp_path / "kapot.py"
    script.write_text(textwrap.dedent("""
        import typer
        app = typer.Typer()
        @app.command()
        def main(x: int = 1):
            raise ValueError("de hexagonen konden niet worden berekend")
        app()
    """), encoding="utf-8")
    with pytest.raises(EngineFailed) as info:
        run_engine(Engine((engine_python, str(script)), "0", "test"), [], None, machine_progress=False)
    assert str(info.value) == ("De engine stopte met foutcode 1: interne fout in de engine: "
                               "ValueError: de hexagonen konden niet worden berekend")
    assert "│" in info.value.stderr  # the box was there


def test_real_engine_error_is_readable(engine_python: str, tmp_path: Path) -> None:
    engine = find_engine(setting=engine_python, environ={}, search_path="")
    missing = tmp_path / "weg.gpkg"
    with pytest.raises(EngineFailed) as info:
        run_engine(engine, ["validate", str(missing), "--kind", "stations"], None)
    assert info.value.returncode == 2
    message = str(info.value)
    assert "weg.gpkg" in message
    assert "Traceback" not in message and "│" not in message


def test_engine_message_cleans_rich_boxes_and_progress() -> None:
    stderr = '@@progress {"pct": 5, "stage": "x"}\n╭─ Error ────╮\n│ No such option: --kindd │\n╰────────────╯'
    assert engine_message(stderr) == "No such option: --kindd"


def test_engine_runs_outside_the_repository_checkout(engine_python: str, tmp_path: Path) -> None:
    # The engine is a separate environment: running from another folder must not depend on the working dir.
    engine = find_engine(setting=engine_python, environ={}, search_path="")
    result = run_engine(engine, ["--version"], None, machine_progress=False, cwd=tmp_path)
    assert result.stdout.strip() == f"energieplanologie {engine.version}"
