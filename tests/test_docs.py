"""Every command and snippet in the documentation runs.

The documents are README.md, docs/*.md and benchmarks/README.md. Their fenced code blocks
follow one convention, which these tests hold them to:

- ```console: command lines, run as a user runs them, in a scratch folder that holds copies
  of configs/, seeds/, validation/, experiments/ and benchmarks/ (so `--out` folders and
  written files land there, never in the repository). A line starting `negsim ` or
  `python3 <path>.py` is a command; a trailing backslash continues it on the next line,
  `# ...` after it is a comment and `> FILE` sends its output to FILE. Sizes are shrunk for
  speed: `--runs N` becomes a few hundred runs at most, a sweep gets `--runs`, a sensitivity
  analysis `--samples` and `--runs`, `--over-assumptions N` a couple of points, `negsim app`
  only `--help` (it serves until Ctrl-C; tests/e2e/ serves it), and the
  benchmark and figure scripts their quick forms; `negsim validate` runs two of its checks
  (VALIDATE_ONLY), since all of them take about a minute even at 100 runs. Each command must
  exit 0, except that `negsim validate` may exit 1 (a check missed, as checks do at these
  sizes and as the declared known failures do at any size), and a command followed by a line
  starting `negsim: error:` is a documented error, which must exit 2 and print exactly that
  line on stderr. The set-up lines (a virtual environment, the
  install, the test suite itself) are in SETUP_LINES and are not run. Blocks that need the
  optional EMA Workbench extra (NEEDS_EMA) are skipped without it.
- ```python: executed in the same kind of scratch folder, with every `runs=N` shrunk.
- ```yaml: must parse. When its first line is a comment naming a file of the repository
  (`# experiments/guarantee.yaml`), it must parse to the same data as that file.
- ```toml: must parse (a snippet of a pyproject.toml).
- ```text: output, not run. The main job's output in README.md must equal what the command
  prints, exactly.

A block fenced with any other language, or with none, fails.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
DOCUMENTS = sorted(
    [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *(ROOT / "docs").glob("*.md")]
)
LANGUAGES = {"console", "python", "yaml", "toml", "text"}
SETUP_LINES = {
    'python3 -m venv .venv && . .venv/bin/activate && python3 -m pip install -e ".[dev]"',
    'python3 -m pip install -e ".[app]"',
    "python3 -m pytest -n 2",
    'python3 -m pytest -n 2 -m "not slow"',
}
DATA_FOLDERS = ("configs", "seeds", "validation", "experiments", "benchmarks")
SMALL_RUNS = 200
SWEEP_RUNS = 20
SENSITIVITY_SAMPLES = 4
SENSITIVITY_RUNS = 16
VALIDATE_RUNS = 100
VALIDATE_ONLY = "analytic_fearon,case_ukraine_2025"
OVER_ASSUMPTIONS = 2
# Blocks whose commands or code take more than a few seconds.
SLOW_WORDS = ("sweep", "sensitivity", "validate", "compare", "make_figures", "bench_", "--runs")
SLOW_CODE = ("simulate", "run_sweep")
MAIN_JOB = "negsim run ukraine_2025 --runs 100000 --seed 7"


@dataclass(frozen=True)
class Block:
    document: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def fenced_blocks(document: Path) -> list[Block]:
    blocks = []
    lines = document.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = re.match(r"^(\s*)```(\S*)\s*$", lines[index])
        if match is None:
            index += 1
            continue
        indent, language = match.group(1), match.group(2)
        body = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            body.append(lines[end][len(indent) :])
            end += 1
        blocks.append(Block(document, index + 1, language, "\n".join(body) + "\n"))
        index = end + 1
    return blocks


ALL_BLOCKS = [block for document in DOCUMENTS for block in fenced_blocks(document)]


def blocks_of(language: str) -> list[Block]:
    return [block for block in ALL_BLOCKS if block.language == language]


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    stdout_to: str | None = None
    error: str | None = None  # the documented one-line error


def commands(block: Block) -> list[Command]:
    """The commands of a console block, with their documented errors."""
    logical: list[str] = []
    pending = ""
    for raw in block.text.splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line:
            logical.append(line)
    found: list[Command] = []
    for line in logical:
        if line.startswith("negsim: error:"):
            assert found and found[-1].error is None, f"{block.name}: an error without a command"
            found[-1] = Command(found[-1].argv, found[-1].stdout_to, line)
            continue
        if line in SETUP_LINES:
            continue
        words = shlex.split(line, comments=True)
        assert words[0] == "negsim" or (words[0] == "python3" and words[1].endswith(".py")), (
            f"{block.name}: not a command of the convention: {line!r}"
        )
        stdout_to = None
        if ">" in words:
            at = words.index(">")
            stdout_to = words[at + 1]
            words = words[:at]
        found.append(Command(tuple(words), stdout_to))
    return found


def _set_option(argv: list[str], option: str, value: int, *, add: bool) -> list[str]:
    """Lower `option N` to at most `value`; add it when absent and `add` is true."""
    if option in argv:
        at = argv.index(option) + 1
        argv[at] = str(min(int(argv[at]), value))
    elif add:
        argv += [option, str(value)]
    return argv


def shrunk(argv: tuple[str, ...]) -> list[str]:
    """The command at a size that runs in seconds."""
    args = list(argv)
    if args[0] == "negsim":
        command = args[1] if len(args) > 1 else ""
        if command == "run":
            args = _set_option(args, "--runs", SMALL_RUNS, add=False)
        elif command == "compare":
            args = _set_option(args, "--runs", SMALL_RUNS, add=True)
        elif command == "sweep":
            args = _set_option(args, "--runs", SWEEP_RUNS, add=True)
        elif command == "sensitivity":
            args = _set_option(args, "--samples", SENSITIVITY_SAMPLES, add=True)
            args = _set_option(args, "--runs", SENSITIVITY_RUNS, add=True)
        elif command == "app":
            # It serves until Ctrl-C: here its arguments are only parsed (tests/e2e/ serves it).
            args.append("--help")
        elif command == "validate":
            args = _set_option(args, "--runs", VALIDATE_RUNS, add=True)
            args = _set_option(args, "--over-assumptions", OVER_ASSUMPTIONS, add=False)
            if "--only" not in args:
                args += ["--only", VALIDATE_ONLY]
        return [sys.executable, "-m", "sim.cli", *args[1:]]
    script = Path(args[1]).name
    if script == "bench_engine.py":
        args = _set_option(args, "--runs", SMALL_RUNS, add=True)
        args = _set_option(args, "--single-runs", 2, add=True)
        args = _set_option(args, "--repeats", 1, add=True)
    quick = (
        "bench_sweep.py",
        "bench_batching.py",
        "bench_ema.py",
        "bench_camps.py",
        "make_figures.py",
    )
    if script in quick and ("--quick" not in args):
        args.append("--quick")
    if script.startswith("bench_") and "--out" not in args:
        args += ["--out", f"{Path(script).stem}.json"]
    return [sys.executable, *args[1:]]


def scratch_copy(tmp_path: Path) -> Path:
    """A folder holding copies of the data the documents' commands and snippets read."""
    for folder in DATA_FOLDERS:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for spec in (tmp_path / "experiments").glob("*.yaml"):
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        data["runs_per_point"] = min(data.get("runs_per_point", SWEEP_RUNS), SWEEP_RUNS)
        if "samples" in data:
            data["samples"] = min(data["samples"], SENSITIVITY_SAMPLES)
        spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return tmp_path


def run(argv: list[str], cwd: Path, stdout_to: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=600, env=env, check=False
    )
    if stdout_to is not None:
        (cwd / stdout_to).write_text(done.stdout, encoding="utf-8")
    return done


# Blocks that need the optional EMA Workbench extra (pip install -e ".[ema]"; CI has it).
NEEDS_EMA = ("negsim discover", "bench_ema", "ema_workbench", "sim.experiments.ema")
NO_EMA = pytest.mark.skipif(
    importlib.util.find_spec("ema_workbench") is None, reason='needs pip install -e ".[ema]"'
)


def _param(block: Block, slow: bool) -> object:
    marks = [pytest.mark.slow] if slow else []
    if any(word in block.text for word in NEEDS_EMA):
        marks.append(NO_EMA)
    return pytest.param(block, id=block.name, marks=marks)


CONSOLE = [
    _param(block, any(word in block.text for word in SLOW_WORDS))
    for block in blocks_of("console")
    if commands(block)
]
PYTHON = [
    _param(block, any(word in block.text for word in SLOW_CODE)) for block in blocks_of("python")
]


def test_the_documents_have_blocks_of_every_kind() -> None:
    assert {block.language for block in ALL_BLOCKS} >= LANGUAGES
    assert (ROOT / "docs" / "cli.md") in DOCUMENTS


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[block.name for block in ALL_BLOCKS])
def test_fences_have_a_known_language(block: Block) -> None:
    assert block.language in LANGUAGES, f"{block.name}: fence it as one of {sorted(LANGUAGES)}"


@pytest.mark.parametrize("block", blocks_of("console"), ids=lambda b: b.name)
def test_console_blocks_follow_the_convention(block: Block) -> None:
    commands(block)  # raises on a line that is neither a command nor a documented error


@pytest.mark.parametrize("block", CONSOLE)
def test_console_block_runs(block: Block, tmp_path: Path) -> None:
    cwd = scratch_copy(tmp_path)
    for command in commands(block):
        argv = shrunk(command.argv)
        done = run(argv, cwd, command.stdout_to)
        shown = " ".join(command.argv)
        if command.argv[:2] == ("negsim", "validate"):
            assert done.returncode in (0, 1), f"{block.name}: {shown}\n{done.stderr[-3000:]}"
            assert "case_ukraine_2025" in done.stdout
        elif command.error is None:
            assert done.returncode == 0, f"{block.name}: {shown}\n{done.stderr[-3000:]}"
        else:
            assert done.returncode == 2, f"{block.name}: {shown}\n{done.stderr[-3000:]}"
            assert done.stderr.strip() == command.error


def shrunk_code(code: str) -> str:
    return re.sub(r"\bruns=(\d[\d_]*)", lambda m: f"runs={min(int(m.group(1)), SMALL_RUNS)}", code)


@pytest.mark.parametrize("block", PYTHON)
def test_python_block_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scratch_copy(tmp_path))
    code = compile(shrunk_code(block.text), block.name, "exec")
    exec(code, {"__name__": "__docs__"})


@pytest.mark.parametrize("block", blocks_of("yaml"), ids=lambda b: b.name)
def test_yaml_block_equals_the_file_it_names(block: Block) -> None:
    data = yaml.safe_load(block.text)
    assert isinstance(data, dict)
    first = block.text.splitlines()[0]
    match = re.match(r"^#\s*(\S+\.ya?ml)\s*$", first)
    if match is not None:
        shipped = ROOT / match.group(1)
        assert shipped.is_file(), f"{block.name}: names {match.group(1)}, which does not exist"
        assert data == yaml.safe_load(shipped.read_text(encoding="utf-8"))


def main_job_output() -> str:
    readme = ROOT / "README.md"
    shown = [b for b in fenced_blocks(readme) if b.language == "text"]
    assert shown, "README.md shows no output"
    assert MAIN_JOB in readme.read_text(encoding="utf-8")
    return shown[0].text


def test_the_main_job_output_is_shown_after_its_command() -> None:
    assert main_job_output().startswith("Russia-Ukraine 2025: 100,000 runs, seed 7")


@pytest.mark.slow
def test_the_main_job_prints_what_readme_shows(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "sim.cli", *shlex.split(MAIN_JOB)[1:]]
    done = run(argv, tmp_path, None)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == main_job_output()


@pytest.mark.parametrize("block", blocks_of("toml"), ids=lambda b: b.name)
def test_toml_block_parses(block: Block) -> None:
    import tomllib

    assert tomllib.loads(block.text)
