"""Every command, fed damaged files, odd paths and odd options, exits 0, 1 or 2 in time.

Each example writes one input (random bytes, markup, a valid scenario, instance or plan
with one token replaced by an odd one), picks a command that reads it and a name for
it (markup and spaces included), and runs the command in-process with tiny solver time
limits. A traceback, exit status 3 (an internal error) or a run longer than
``SECONDS`` (a hang: ``SIGALRM`` interrupts it) is a bug.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.planning.params import PlanParams
from xiezuo.services.planning import plan_scenario

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
BASES = (
    SMALL,
    DATA / "scenarios" / "small.json",
    DATA / "benchmarks" / "ft06.txt",
    DATA / "benchmarks" / "mk01.fjs",
    DATA / "benchmarks" / "10J2F.txt",
    DATA / "benchmarks" / "Ta001_2.txt",
)
SECONDS = 20
ODD_TOKENS = (
    "",
    "-1",
    "0",
    "nan",
    "1e308",
    "9" * 40,
    "1000000000",
    "[/x]",
    "[bold]",
    "\x00",
    "\udcff",
    "\u0663",
    "{",
    "]",
    "&a [*a]",
    "!!int 0x10",
    "\n\n",
    "null",
    "true",
    "0001-01-01",
    "9999-12-31",
)
# Under the folder "[b]x[", so "x].yaml" reads as "[b]x[/x].yaml", a closing markup tag.
NAMES = ("in.yaml", "in.json", "in.txt", "in.fjs", "x].yaml", "x].txt", "a b[i].fjs", "noext")
TOKEN = re.compile(r"[^\s:,\[\]{}\"]+")

runner = CliRunner(env={"COLUMNS": "120"})


class Hang(BaseException):
    """Raised by the alarm; a BaseException so the command's catch-all lets it through."""


@pytest.fixture(scope="module")
def plan_text() -> Iterator[str]:
    """A valid plan file of the small scenario, to be damaged."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan.json"
        plan_scenario(SMALL, PlanParams(time_limit_s=1, workers=1), out=out)
        yield out.read_text(encoding="utf-8")


@st.composite
def damaged(draw: st.DrawFn, base: str) -> str:
    """``base`` with one token replaced by an odd one, or a slice of it cut out."""
    matches = list(TOKEN.finditer(base))
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(base)))
        return base[: cut // 2] + base[cut:]
    match = draw(st.sampled_from(matches))
    odd = draw(st.sampled_from(ODD_TOKENS) | st.text(max_size=8))
    return base[: match.start()] + odd + base[match.end() :]


def contents(plan: str) -> st.SearchStrategy[bytes]:
    texts = st.sampled_from([*(p.read_text(encoding="utf-8") for p in BASES), plan])
    return st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        texts.flatmap(damaged).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )


@st.composite
def cases(draw: st.DrawFn, folder: Path, plan: str) -> list[str]:
    """A command line over one damaged file (or a folder, pipe or device)."""
    target = draw(st.sampled_from(["file", "file", "file", "folder", "fifo", "device"]))
    if target == "file":
        (folder / "[b]x[").mkdir()
        path = folder / "[b]x[" / draw(st.sampled_from(NAMES))
        path.write_bytes(draw(contents(plan)))
    elif target == "folder":
        path = folder / "sub[x].yaml"
        path.mkdir()
    elif target == "fifo":
        path = folder / "pipe.yaml"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    fmt = draw(
        st.sampled_from([[], [], ["--instance-format", "jssp"], ["--instance-format", "fjsp"]])
    )
    quick = ["--time-limit", "0.1", "--workers", "1"]
    out = str(folder / draw(st.sampled_from(["out.json", "[/x]/out.json", "sub[x].yaml"])))
    small = str(SMALL)
    commands = [
        ["validate", str(path), *fmt],
        ["plan", str(path), *quick, "--out", out],
        ["materials", str(path)],
        ["staff", str(path)],
        ["bench", str(path), *quick, "--out", out],
        ["verify", small, str(path)],
        ["gantt", str(path), "--out", out],
        ["staff", small, str(path)],
    ]
    return draw(st.sampled_from(commands))


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_command_ends_with_a_documented_status(plan_text: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as name:
        args = data.draw(cases(Path(name), plan_text))
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(SECONDS)
        try:
            result = runner.invoke(app, args)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
