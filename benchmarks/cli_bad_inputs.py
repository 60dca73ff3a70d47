"""Bad-input corpus over every xiezuo command: tracebacks, wrong exit codes, hangs.

``python benchmarks/cli_bad_inputs.py [NEW_FOLDER]`` writes about 830 bad inputs
(garbage, markup in names, YAML bombs, FIFOs and devices, benchmark size bombs,
damaged plan files, unwritable outputs, odd options; for ``replan`` and ``verify
--progress`` progress files of every kind: broken, mistyped, naming unknown IDs,
contradicting themselves or the scenario, huge; for ``diff`` damaged plans; for
``compare`` and ``advise`` damaged variants, missing or cyclic bases) into a new folder
and runs each command line in a forked child (the app is imported once) with a wall
limit of ``CORPUS_TIMEOUT`` seconds (10) and a 6 GB address-space limit. It prints every case
that ends in a traceback, an exit status outside the expected set or a hang, then the
counts. ``CORPUS_ONLY=text`` runs the cases whose name contains it; ``CORPUS_VERBOSE=1``
prints every case.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer.testing import CliRunner

from xiezuo.cli.main import app

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "chongqing-1958.yaml"
BENCH = ROOT / "tests" / "data" / "benchmarks"
SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
TIMEOUT = float(os.environ.get("CORPUS_TIMEOUT", "10"))
W = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="xiezuo-bad-inputs-"))

BAD = {2}
ANY_OK = {0, 1, 2}


def setup() -> list[tuple[str, list[str], set[int]]]:
    if W.exists() and any(W.iterdir()):
        sys.exit(f"{W} is not empty; give a new folder for the corpus")
    W.mkdir(parents=True, exist_ok=True)
    cases: list[tuple[str, list[str], set[int]]] = []

    def f(name: str, content: bytes | str) -> str:
        p = W / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(
            content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        )
        return str(p)

    # A valid plan of the small scenario and of ft06, for verify/gantt/staff.
    small_plan = str(W / "small-plan.json")
    ft06_plan = str(W / "ft06-plan.json")
    r = CliRunner().invoke(
        app, ["plan", str(SMALL), "--time-limit", "2", "--workers", "1", "--out", small_plan]
    )
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        app,
        [
            "plan",
            str(BENCH / "ft06.txt"),
            "--time-limit",
            "2",
            "--workers",
            "1",
            "--out",
            ft06_plan,
        ],
    )
    assert r.exit_code == 0, r.output
    plan_text = Path(small_plan).read_text()
    fifo = W / "fifo.yaml"
    os.mkfifo(fifo)
    fifo_txt = W / "fifo.txt"
    os.mkfifo(fifo_txt)
    adir = W / "adir"
    adir.mkdir()
    (W / "emptydir").mkdir()
    afile = f("afile.txt", "x")
    markup_dir = W / "[bold]x[/x]"
    markup_dir.mkdir(parents=True)

    # --- scenario-like file contents, run through validate, plan, materials, staff
    scen: dict[str, bytes | str] = {
        "empty.yaml": "",
        "garbage.yaml": os.urandom(2000),
        "nonutf8.yaml": b"network:\n  name: \xff\xfe\n",
        "list.yaml": "- 1\n- 2\n",
        "scalar.yaml": "42\n",
        "null.json": "null",
        "badjson.json": "{",
        "tag-int.yaml": "network: !!int 0x10\n",
        "tag-float.yaml": "network: {name: !!float abc}\n",
        "tag-bool.yaml": "x: !!bool maybe\n",
        "tag-ts.yaml": "x: !!timestamp x\n",
        "python-tag.yaml": "x: !!python/object/apply:os.system ['true']\n",
        "laughs.yaml": "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "deep.yaml": "[" * 5000 + "]" * 5000,
        "deep.json": "[" * 100000 + "]" * 100000,
        "control.yaml": "network:\n  name: a\x00b\n",
        "dupkeys.json": '{"network": {}, "network": {}}',
    }
    base = SMALL.read_text()
    mut = {
        "huge-float": base.replace("10", "1e308", 1),
        "huge-int": base.replace("10", "1" + "0" * 30, 1),
        "neg": base.replace("10", "-10", 1),
        "date0001": base.replace("start:", "start: 0001-01-01\n  old_start:", 1),
        "date9999": base.replace("start:", "start: 9999-12-31\n  old_start:", 1),
        "markup-id": base.replace("P1", "[bold]P1[/x]"),
        "bracket-id": base.replace("P1", "P[1"),
        "surrogate": base.replace("P1", "P\udcff1"),
        "truncated": base[: len(base) // 2],
        "units-bool": base.replace("units: ", "units: true #", 1),
    }
    for k, v in mut.items():
        scen[f"small-{k}.yaml"] = v
    scen_paths = [f(k, v) for k, v in scen.items()]
    scen_paths += [
        str(W / "missing.yaml"),
        str(adir),
        str(fifo),
        "/dev/zero",
        "/dev/null",
        str(markup_dir / "missing[/x].yaml"),
        f("[red]name[/red].yaml", base),
        f("bad[/].yaml", "{"),
        str(Path(afile) / "x.yaml"),
        f("noext", base),
        f("weird.xlsx", base),
    ]
    for p in scen_paths:
        cases.append((f"validate {Path(p).name}", ["validate", p], ANY_OK))
        cases.append(
            (f"plan {Path(p).name}", ["plan", p, "--time-limit", "1", "--workers", "1"], ANY_OK)
        )
        cases.append((f"materials {Path(p).name}", ["materials", p], ANY_OK))
        cases.append((f"staff {Path(p).name}", ["staff", p], ANY_OK))

    # --- benchmark instances, through validate, plan and bench
    inst: dict[str, str | bytes] = {
        "hdr-billion.txt": "1000000000 1000000000\n0 1\n",
        "hdr-jobs.txt": "1000000000 2\n0 1 1 1\n",
        "hdr-fjs-billion.fjs": "3 1000000000 1\n1 1 1 1\n",
        "hdr-dpfsp.txt": "1000000000\n1000000000\n1000000000\n",
        "neg-time.txt": "1 2\n0 -5 1 3\n",
        "huge-time.txt": "1 2\n0 " + "9" * 30 + " 1 3\n",
        "big-time.txt": "2 2\n0 100000000000 1 3\n1 5 0 100000000000\n",
        "nan.txt": "1 2\n0 nan 1 3\n",
        "float.txt": "1 2\n0 1.5 1 3\n",
        "truncated.txt": "3 3\n0 1 1 2 2 3\n0 1\n",
        "nonnum.fjs": "1 2 1\n1 1 x 3\n",
        "nonutf8.txt": b"2 2\n\xff\xfe 1 1 1\n",
        "garbage.txt": os.urandom(3000),
        "empty.txt": "",
        "blank.fjs": "\n\n\n",
        "fjs-ops-billion.fjs": "1 2 1\n1000000000 1 1 3\n",
        "fjs-unicode-digit.fjs": "1 2 1\n1 1 1 \u0663\n",
        "markup[/x].txt": "1 2\n0 x 1 3\n",
        "dfjsp-bad.txt": "1 2 2\n1 1 1\n1 1 1 5\n2 1 1\n1 1 1 5\n",
        "dfjsp-billion.txt": "2 1000000 1000000\n1 1 1\n1 1 1 5\n",
        "Ta999_1.txt": "a\nb\nc\n",
        "jssp-many-ops.txt": "1 100000000\n0 1\n",
        "tabs.txt": "1\t2\n0\t1\t1\t3\n",
        "crlf.txt": "1 2\r\n0 1 1 3\r\n",
        "bom.txt": "\ufeff1 2\n0 1 1 3\n",
    }
    inst_paths = [f(k, v) for k, v in inst.items()]
    for p in inst_paths:
        cases.append((f"validate {Path(p).name}", ["validate", p], ANY_OK))
        cases.append(
            (f"plan {Path(p).name}", ["plan", p, "--time-limit", "1", "--workers", "1"], ANY_OK)
        )
        cases.append(
            (f"bench {Path(p).name}", ["bench", p, "--time-limit", "1", "--workers", "1"], ANY_OK)
        )
    for fmt in ("jssp", "fjsp", "dfjsp", "dpfsp", "bogus", "[b]x[/b]"):
        cases.append(
            (
                f"validate --format {fmt} example",
                ["validate", str(EXAMPLE), "--instance-format", fmt],
                BAD,
            )
        )
        cases.append(
            (
                f"validate --format {fmt} fifo",
                ["validate", str(fifo_txt), "--instance-format", fmt],
                BAD,
            )
        )
        cases.append(
            (
                f"validate --format {fmt} /dev/zero",
                ["validate", "/dev/zero", "--instance-format", fmt],
                BAD,
            )
        )
    # A large generated JSSP: the time limit must hold.

    rnd = random.Random(1)
    lines = ["100 50"]
    for _ in range(100):
        ms = list(range(50))
        rnd.shuffle(ms)
        lines.append(" ".join(f"{m} {rnd.randint(1, 99)}" for m in ms))
    big = f("big100x50.txt", "\n".join(lines) + "\n")
    cases.append(
        ("plan big100x50 tl=2", ["plan", big, "--time-limit", "2", "--workers", "1"], {0, 1})
    )

    # --- bench-specific
    cases += [
        ("bench empty folder", ["bench", str(W / "emptydir")], {0, 2}),
        ("bench missing", ["bench", str(W / "nope")], BAD),
        ("bench fifo", ["bench", str(fifo_txt)], BAD),
        ("bench /dev/zero", ["bench", "/dev/zero"], BAD),
        (
            "bench --bks missing",
            ["bench", str(BENCH / "ft06.txt"), "--bks", str(W / "nope.csv")],
            BAD,
        ),
        ("bench --bks dir", ["bench", str(BENCH / "ft06.txt"), "--bks", str(adir)], BAD),
        ("bench --bks fifo", ["bench", str(BENCH / "ft06.txt"), "--bks", str(fifo)], BAD),
        (
            "bench --bks nonutf8",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b1.csv", b"instance,upper_bound\nft06,\xff\n"),
            ],
            BAD,
        ),
        (
            "bench --bks garbage",
            ["bench", str(BENCH / "ft06.txt"), "--bks", f("b2.csv", os.urandom(500))],
            BAD,
        ),
        (
            "bench --bks nocols",
            ["bench", str(BENCH / "ft06.txt"), "--bks", f("b3.csv", "a,b\n1,2\n")],
            BAD,
        ),
        ("bench --bks empty", ["bench", str(BENCH / "ft06.txt"), "--bks", f("b4.csv", "")], {0, 2}),
        (
            "bench --bks negative",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b5.csv", "instance,upper_bound\nft06,-5\n"),
            ],
            BAD,
        ),
        (
            "bench --bks zero",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b6.csv", "instance,upper_bound\nft06,0\n"),
                "--time-limit",
                "1",
            ],
            {0, 2},
        ),
        (
            "bench --bks unicode digit",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b7.csv", "instance,upper_bound\nft06,\u0663\n"),
            ],
            BAD,
        ),
        (
            "bench --bks huge",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b8.csv", "instance,upper_bound\nft06," + "9" * 5000 + "\n"),
            ],
            BAD,
        ),
        (
            "bench --bks short row",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b9.csv", "instance,upper_bound\nft06\n"),
                "--time-limit",
                "1",
            ],
            {0, 2},
        ),
        (
            "bench --bks nul",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b10.csv", "instance,upper_bound\nft\x0006,5\n"),
            ],
            {0, 2},
        ),
        (
            "bench --bks markup",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--bks",
                f("b[/x]11.csv", "instance,upper_bound\nft06,x[/b]\n"),
            ],
            BAD,
        ),
        (
            "bench beside nonutf8",
            ["bench", f("nb/ft06.txt", (BENCH / "ft06.txt").read_text()), "--time-limit", "1"],
            {0, 1, 2},
        ),
        (
            "bench --out dir",
            ["bench", str(BENCH / "ft06.txt"), "--out", str(adir), "--time-limit", "1"],
            BAD,
        ),
        (
            "bench --out proc",
            ["bench", str(BENCH / "ft06.txt"), "--out", "/proc/xz.csv", "--time-limit", "1"],
            BAD,
        ),
        (
            "bench --out under file",
            [
                "bench",
                str(BENCH / "ft06.txt"),
                "--out",
                str(Path(afile) / "x.csv"),
                "--time-limit",
                "1",
            ],
            BAD,
        ),
        (
            "bench --out markup missing dir",
            ["bench", str(BENCH / "ft06.txt"), "--out", str(W / "[/x]" / "x.csv")],
            BAD,
        ),
        ("bench --time-limit nan", ["bench", str(BENCH / "ft06.txt"), "--time-limit", "nan"], BAD),
        ("bench --time-limit inf", ["bench", str(BENCH / "ft06.txt"), "--time-limit", "inf"], BAD),
        (
            "bench --workers huge",
            ["bench", str(BENCH / "ft06.txt"), "--workers", "100000", "--time-limit", "1"],
            {0, 2},
        ),
        (
            "bench --seed huge",
            ["bench", str(BENCH / "ft06.txt"), "--seed", str(2**70), "--time-limit", "1"],
            BAD,
        ),
        ("bench folder garbage", ["bench", str(W), "--time-limit", "1"], {0, 1, 2}),
    ]
    f("nb/bks.csv", b"instance,upper_bound\nft06,\xff\n")

    # --- plan options and outputs
    ok_scen = str(SMALL)
    for opt, val in [
        ("--time-limit", "0"),
        ("--time-limit", "-1"),
        ("--time-limit", "nan"),
        ("--time-limit", "inf"),
        ("--time-limit", "1e308"),
        ("--time-limit", "x"),
        ("--workers", "-1"),
        ("--workers", "100000"),
        ("--workers", str(2**40)),
        ("--seed", str(2**70)),
        ("--seed", "-1"),
        ("--seed", str(-(2**63) - 1)),
        ("--format", "nope"),
        ("--instance-format", "nope"),
    ]:
        exp = {0, 2} if (opt, val) in {("--seed", "-1"), ("--workers", "100000")} else BAD
        cases.append(
            (
                f"plan {opt} {val}",
                ["plan", ok_scen, opt, val]
                + (["--time-limit", "1"] if opt != "--time-limit" else []),
                exp,
            )
        )
    for label, out in [
        ("dir", str(adir)),
        ("proc", "/proc/xz.json"),
        ("under file", str(Path(afile) / "p.json")),
        ("missing dir", str(W / "nodir" / "p.json")),
        ("markup missing dir", str(W / "[bold]" / "[/x].json")),
        ("dev full", "/dev/full"),
        ("empty name", ""),
    ]:
        cases.append(
            (
                f"plan --out {label}",
                ["plan", ok_scen, "--time-limit", "1", "--workers", "1", "--out", out],
                BAD,
            )
        )
        cases.append((f"gantt --out {label}", ["gantt", small_plan, "--out", out], BAD))
        cases.append((f"staff --html {label}", ["staff", ok_scen, "--html", out], BAD))

    # --- plan files through verify, gantt, staff

    def pj(mod: Callable[[dict[str, Any]], object]) -> str:
        d = json.loads(plan_text)
        mod(d)
        return json.dumps(d)

    def first_op(d: dict[str, Any]) -> dict[str, Any]:
        return (
            d["schedule"]["operations"][0]
            if d.get("schedule") and d["schedule"].get("operations")
            else d
        )

    plans: dict[str, str | bytes] = {
        "p-empty.json": "",
        "p-garbage.json": os.urandom(1000),
        "p-nonutf8.json": b'{"format": "\xff"}',
        "p-list.json": "[]",
        "p-null.json": "null",
        "p-scenario.json": SMALL.read_text(),
        "p-nan.json": plan_text.replace('"runtime_s": ', '"runtime_s": NaN, "x": ', 1),
        "p-deep.json": "[" * 100000 + "]" * 100000,
        "p-version.json": pj(lambda d: d.update(version=999)),
        "p-format.json": pj(lambda d: d.update(format="[bold]x[/x]")),
        "p-huge-hours.json": plan_text.replace('_hours": ', '_hours": 1e308, "y": ', 1),
        "p-inf.json": plan_text.replace('_hours": ', '_hours": Infinity, "y": ', 1),
        "p-year9999.json": plan_text.replace('"1958-', '"9999-', 1)
        if "1958-" in plan_text
        else plan_text.replace(":00+", ":00+", 1),
        "p-year1.json": plan_text.replace('"1958-', '"0001-', 1),
        "p-centuries.json": plan_text.replace('"1958-', '"2958-'),
        "p-markup-ids.json": plan_text.replace("P1", "[bold]P1[/x]"),
        "p-bigint.json": plan_text.replace(
            '"runtime_s": ', '"runtime_s": 1' + "0" * 5000 + ', "x": ', 1
        ),
        "p-dup.json": '{"format": "xiezuo-plan", "format": "x"}',
        "p-surrogate.json": plan_text.replace("P1", "P\\udcff1"),
    }
    plan_paths = [f(k, v) for k, v in plans.items()]
    plan_paths += [
        ft06_plan,
        str(adir),
        str(fifo),
        "/dev/zero",
        str(W / "nope.json"),
        f("[red]x[/].json", plan_text),
    ]
    for p in plan_paths:
        cases.append((f"verify small {Path(p).name}", ["verify", ok_scen, p], ANY_OK))
        cases.append((f"gantt {Path(p).name}", ["gantt", p, "--out", str(W / "g.html")], ANY_OK))
        cases.append((f"staff small {Path(p).name}", ["staff", ok_scen, p], ANY_OK))
    cases.append(("verify example with ft06 plan", ["verify", str(EXAMPLE), ft06_plan], {1, 2}))
    cases.append(
        ("verify ft06 with small plan", ["verify", str(BENCH / "ft06.txt"), small_plan], {1, 2})
    )
    cases.append(
        (
            "gantt --scenario garbage",
            ["gantt", small_plan, "--out", str(W / "g2.html"), "--scenario", scen_paths[1]],
            BAD,
        )
    )
    cases.append(
        (
            "gantt --scenario ft06",
            [
                "gantt",
                small_plan,
                "--out",
                str(W / "g3.html"),
                "--scenario",
                str(BENCH / "ft06.txt"),
            ],
            ANY_OK,
        )
    )

    # --- replan: bad progress files (read against the small scenario)
    ok_progress_text = (
        "as_of: 1958-07-03T00:00\n"
        "steps:\n"
        '  - {work_order: "SC-1:MILL/HOUSING", step: 1, status: started, plant: CMT,\n'
        "     machine: lathe, unit: 0, start: 1958-07-01T00:00}\n"
        '  - {work_order: "YN-1:MILL/HOUSING", step: 1, status: started, plant: CMT,\n'
        "     machine: lathe, unit: 1, start: 1958-07-02T00:00, work_done_hours: 10}\n"
        "down:\n"
        "  - {plant: WJ, machine: foundry, from: 1958-07-03, until: 1958-07-05}\n"
    )
    ok_progress = f("progress-ok.yaml", ok_progress_text)
    small_replan = str(W / "small-replan.json")
    r = CliRunner().invoke(
        app,
        [
            "replan",
            str(SMALL),
            ok_progress,
            "--previous",
            small_plan,
            "--time-limit",
            "2",
            "--workers",
            "1",
            "--out",
            small_replan,
        ],
    )
    assert r.exit_code == 0, r.output

    def step(**fields: object) -> str:
        """A progress with one step report: a started step of SC-1's housing, changed."""
        record = {
            "work_order": "SC-1:MILL/HOUSING",
            "step": 1,
            "status": "started",
            "plant": "CMT",
            "machine": "lathe",
            "unit": 0,
            "start": "1958-07-01T00:00",
            **fields,
        }
        return json.dumps({"as_of": "1958-07-03T00:00", "steps": [record]})

    def progress_with(key: str, records: list[dict[str, object]]) -> str:
        return json.dumps({"as_of": "1958-07-03T00:00", key: records})

    housing = {"work_order": "SC-1:MILL/HOUSING", "plant": "CMT", "machine": "lathe"}
    done1 = {**housing, "step": 1, "status": "done", "start": "1958-07-01T00:00"}
    progress_files: dict[str, str | bytes] = {
        "g-empty.yaml": "",
        "g-comment.yaml": "# nothing\n",
        "g-garbage.yaml": os.urandom(2000),
        "g-garbage.json": os.urandom(2000),
        "g-nonutf8.yaml": b"as_of: 1958-07-03\nsteps: [\xff\xfe]\n",
        "g-bom.yaml": "\ufeffas_of: 1958-07-03\n",
        "g-list.yaml": "- as_of: 1958-07-03\n",
        "g-scalar.yaml": "42\n",
        "g-null.json": "null",
        "g-badjson.json": '{"as_of": "1958-07-03",',
        "g-broken.yaml": "as_of: 1958-07-03\nsteps:\n  - {work_order: x, step: 1\n",
        "g-tabs.yaml": "as_of: 1958-07-03\nsteps:\n\t- x\n",
        "g-tag.yaml": "as_of: !!timestamp 1958-07-03\n",
        "g-python-tag.yaml": "as_of: !!python/object/apply:os.system ['true']\n",
        "g-laughs.yaml": "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "as_of: 1958-07-03\n",
        "g-deep.yaml": "as_of: 1958-07-03\nsteps: " + "[" * 5000 + "]" * 5000 + "\n",
        "g-deep.json": '{"as_of": "1958-07-03", "steps": ' + "[" * 100000 + "]" * 100000 + "}",
        "g-control.yaml": 'as_of: 1958-07-03\nsteps:\n  - {work_order: "a\x00b", step: 1}\n',
        "g-surrogate.json": '{"as_of": "1958-07-03", "x": "\\udcff"}',
        "g-dupkeys.json": '{"as_of": "1958-07-03", "as_of": "1958-07-04"}',
        "g-dupkeys.yaml": "as_of: 1958-07-03\nas_of: 1958-07-04\n",
        "g-huge.yaml": "as_of: 1958-07-03\n# " + "x" * (3 << 20) + "\n",
        "g-huge.json": '{"as_of": "1958-07-03", "x": "' + "x" * (21 << 20) + '"}',
        # 8 MB of repeated reports: reading and checking 100,000 (16 MB) took 8-10 s on
        # this machine under load, linear in the records (io checks, pydantic, checker).
        "g-many-steps.json": json.dumps(
            {
                "as_of": "1958-07-03T00:00",
                "steps": [{**done1, "end": "1958-07-01T01:00"} for _ in range(50_000)],
            }
        ),
        "g-no-as-of.yaml": "steps: []\n",
        "g-unknown-key.yaml": "as_of: 1958-07-03\nstep: []\n",
        "g-markup.yaml": "as_of: 1958-07-03\n'[bold]x[/x]': 1\n",
        "g-scenario.yaml": SMALL.read_text(),
        "g-plan.json": plan_text,
        # Wrong types and values out of range.
        "t-as-of-int.yaml": "as_of: 42\n",
        "t-as-of-word.yaml": "as_of: yesterday\n",
        "t-as-of-bool.yaml": "as_of: true\n",
        "t-as-of-year1.yaml": "as_of: 0001-01-01\n",
        "t-as-of-year9999.yaml": "as_of: 9999-12-31T23:59\n",
        "t-as-of-before.yaml": "as_of: 1950-01-01\n",
        "t-as-of-far.yaml": "as_of: 1990-01-01\n",
        "t-as-of-offset.yaml": "as_of: 1958-07-03T00:00+14:00\n",
        "t-as-of-bad-offset.yaml": "as_of: 1958-07-03T00:00+25:00\n",
        "t-as-of-nan.json": '{"as_of": NaN}',
        "t-steps-str.yaml": "as_of: 1958-07-03\nsteps: x\n",
        "t-steps-ints.yaml": "as_of: 1958-07-03\nsteps: [1, 2]\n",
        "t-steps-map.yaml": "as_of: 1958-07-03\nsteps: {a: 1}\n",
        "t-step-word.json": step(step="one"),
        "t-step-zero.json": step(step=0),
        "t-step-float.json": step(step=1.5),
        "t-step-bool.json": step(step=True),
        "t-step-huge.json": step(step=10**30),
        "t-unit-neg.json": step(unit=-1),
        "t-unit-huge.json": step(unit=10**9),
        "t-unit-null.json": step(unit=None),
        "t-status-bad.json": step(status="finished"),
        "t-status-markup.json": step(status="[bold]done[/x]"),
        "t-start-word.json": step(start="monday"),
        "t-start-int.json": step(start=0),
        "t-work-done-neg.json": step(work_done_hours=-1),
        "t-work-done-huge.json": step(work_done_hours=1e308),
        "t-work-done-inf.json": step(work_done_hours=float("inf")),
        "t-work-done-str.json": step(work_done_hours="10h"),
        "t-quantity-float.json": step(quantity_done=0.5),
        "t-quantity-neg.json": step(quantity_done=-1),
        "t-quantity-huge.json": step(quantity_done=10**20),
        "t-scrapped-neg.json": step(scrapped=-2),
        "t-step-extra-key.json": step(operator="Li"),
        "t-record-list.json": json.dumps({"as_of": "1958-07-03", "steps": [[1, 2]]}),
        "t-down-units-zero.json": progress_with(
            "down", [{"plant": "WJ", "machine": "foundry", "units": 0, "from": "1958-07-03"}]
        ),
        "t-down-until-before.json": progress_with(
            "down",
            [{"plant": "WJ", "machine": "foundry", "from": "1958-07-03", "until": "1958-07-01"}],
        ),
        "t-down-far.json": progress_with(
            "down", [{"plant": "WJ", "machine": "foundry", "from": "2190-01-01"}]
        ),
        "t-parts-zero.json": progress_with(
            "parts", [{"plant": "CMT", "item": "HOUSING", "quantity": 0}]
        ),
        "t-count-neg.json": progress_with(
            "counts", [{"plant": "CMT", "material": "steel", "quantity": -1}]
        ),
        "t-receipt-huge.json": progress_with(
            "receipts",
            [{"plant": "CMT", "material": "x", "quantity": 10**13, "arrived": "1958-07-01"}],
        ),
        "t-secondment-count-zero.json": progress_with(
            "secondments", [{"plant": "CMT", "skill": "x", "count": 0, "start": "1958-07-01"}]
        ),
        # Unknown IDs.
        "u-work-order.json": step(work_order="SC-1:MILL/HOUSINGS"),
        "u-work-order-markup.json": step(work_order="[bold]SC-1[/x]:MILL"),
        "u-plant.json": step(plant="XX"),
        "u-machine.json": step(machine="lathes"),
        "u-finished.json": progress_with(
            "finished", [{"work_order": "NOPE:X", "plant": "CMT", "finished": "1958-07-01"}]
        ),
        "u-parts-item.json": progress_with(
            "parts", [{"plant": "CMT", "item": "NOPE", "quantity": 1}]
        ),
        "u-count-material.json": progress_with(
            "counts", [{"plant": "CMT", "material": "steel", "quantity": 1}]
        ),
        "u-down-machine.json": progress_with(
            "down", [{"plant": "CMT", "machine": "foundry", "from": "1958-07-03"}]
        ),
        "u-secondment-skill.json": progress_with(
            "secondments", [{"plant": "CMT", "skill": "welder", "count": 1, "start": "1958-07-01"}]
        ),
        # Contradictions.
        "c-done-no-end.json": step(status="done"),
        "c-started-with-end.json": step(end="1958-07-02T00:00"),
        "c-ends-before-start.json": step(status="done", end="1958-06-30T00:00"),
        "c-after-as-of.json": step(start="1958-07-05T00:00"),
        "c-before-start.json": step(start="1958-06-01T00:00"),
        "c-unit-out-of-range.json": step(unit=5),
        "c-wrong-process.json": step(plant="WJ", machine="foundry"),
        "c-wrong-routing-step.json": step(step=2),
        "c-work-done-all.json": step(work_done_hours=10_000),
        "c-quantity-over.json": step(quantity_done=5),
        "c-done-with-scrap.json": step(status="done", end="1958-07-02T00:00", scrapped=1),
        "c-same-unit.json": json.dumps(
            {
                "as_of": "1958-07-03T00:00",
                "steps": [
                    {**housing, "step": 1, "status": "started", "start": "1958-07-01T00:00"},
                    {
                        **housing,
                        "work_order": "YN-1:MILL/HOUSING",
                        "step": 1,
                        "status": "started",
                        "start": "1958-07-02T00:00",
                    },
                ],
            }
        ),
        "c-twice.json": json.dumps(
            {
                "as_of": "1958-07-03T00:00",
                "steps": [
                    {**done1, "end": "1958-07-01T10:00"},
                    {**done1, "end": "1958-07-01T10:00", "unit": 1},
                ],
            }
        ),
        "c-finished-and-steps.json": json.dumps(
            {
                "as_of": "1958-07-03T00:00",
                "steps": [{**done1, "end": "1958-07-01T10:00"}],
                "finished": [
                    {"work_order": "SC-1:MILL/HOUSING", "plant": "CMT", "finished": "1958-07-02"}
                ],
            }
        ),
        "c-parent-before-part.json": json.dumps(
            {
                "as_of": "1958-08-10T00:00",
                "steps": [
                    {
                        "work_order": "SC-1:MILL",
                        "step": 1,
                        "status": "started",
                        "plant": "CMT",
                        "machine": "bay",
                        "start": "1958-08-04T00:00",
                    }
                ],
            }
        ),
        "c-pinned-elsewhere.json": progress_with(
            "finished", [{"work_order": "SC-1:MILL", "plant": "WJ", "finished": "1958-07-02"}]
        ),
        "c-down-too-many.json": progress_with(
            "down", [{"plant": "CMT", "machine": "lathe", "units": 3, "from": "1958-07-03"}]
        ),
        "c-down-under-started.json": json.dumps(
            {
                "as_of": "1958-07-03T00:00",
                "steps": [{**housing, "step": 1, "status": "started", "start": "1958-07-01"}],
                "down": [{"plant": "CMT", "machine": "lathe", "from": "1958-07-02"}],
            }
        ),
        "c-before-service.json": json.dumps(
            {
                "as_of": "1958-07-03T00:00",
                "steps": [
                    {
                        "work_order": "YN-1:MILL",
                        "step": 1,
                        "status": "started",
                        "plant": "CMT",
                        "machine": "bay",
                        "start": "1958-07-02T00:00",
                    }
                ],
            }
        ),
        "c-parts-cannot-make.json": progress_with(
            "parts", [{"plant": "WJ", "item": "MILL", "quantity": 1}]
        ),
        "c-parts-twice.json": progress_with(
            "parts",
            [
                {"plant": "CMT", "item": "HOUSING", "quantity": 1},
                {"plant": "CMT", "item": "HOUSING", "quantity": 2},
            ],
        ),
    }
    progress_paths = [f(f"progress/{k}", v) for k, v in progress_files.items()]
    progress_paths += [
        str(W / "progress" / "missing.yaml"),
        str(adir),
        str(fifo),
        "/dev/zero",
        "/dev/null",
        str(markup_dir / "missing[/x].yaml"),
        f("progress/[red]p[/red].yaml", "as_of: [bold]x\n"),
        f("progress/noext", ok_progress_text),
        f("progress/p.txt", ok_progress_text),
        str(Path(afile) / "p.yaml"),
    ]
    replan_opts = ["--time-limit", "1", "--workers", "1"]
    valid = ("g-bom.yaml", "t-as-of-offset.yaml")  # a BOM and an offset are fine
    for p in progress_paths:
        read = {0, 1} if p.endswith(valid) else BAD
        cases.append((f"replan small {Path(p).name}", ["replan", ok_scen, p, *replan_opts], read))
        cases.append(
            (
                f"verify small replan --progress {Path(p).name}",
                ["verify", ok_scen, small_replan, "--progress", p],
                {1} if p.endswith(valid) else BAD,
            )
        )
    # A valid progress with bad scenarios, previous plans, options and outputs.
    for p in [*scen_paths[:19], str(BENCH / "ft06.txt"), str(EXAMPLE)]:
        cases.append(
            (f"replan {Path(p).name} ok-progress", ["replan", p, ok_progress, *replan_opts], BAD)
        )
    for p in plan_paths:
        cases.append(
            (
                f"replan small --previous {Path(p).name}",
                ["replan", ok_scen, ok_progress, "--previous", p, *replan_opts],
                ANY_OK,
            )
        )
        cases.append(
            (
                f"verify small replan --previous {Path(p).name}",
                [
                    "verify",
                    ok_scen,
                    small_replan,
                    "--progress",
                    ok_progress,
                    "--previous",
                    p,
                    "--frozen-days",
                    "1",
                ],
                ANY_OK,
            )
        )
    for opt, val in [
        ("--frozen-days", "-1"),
        ("--frozen-days", "nan"),
        ("--frozen-days", "1e9"),
        ("--stability", "-1"),
        ("--stability", "inf"),
        ("--tolerance-hours", "nan"),
        ("--time-limit", "0"),
        ("--seed", str(2**70)),
    ]:
        cases.append(
            (f"replan {opt} {val}", ["replan", ok_scen, ok_progress, *replan_opts, opt, val], BAD)
        )
    cases += [
        (
            "replan --frozen-days without --previous",
            ["replan", ok_scen, ok_progress, *replan_opts, "--frozen-days", "2"],
            {0, 1, 2},
        ),
        (
            "replan --previous of another scenario",
            ["replan", ok_scen, ok_progress, "--previous", ft06_plan, *replan_opts],
            BAD,
        ),
        ("verify replan without --progress", ["verify", ok_scen, small_replan], BAD),
        (
            "verify fresh plan with --progress",
            ["verify", ok_scen, small_plan, "--progress", ok_progress],
            {1},
        ),
        (
            "verify replan --previous without --progress",
            ["verify", ok_scen, small_replan, "--previous", small_plan],
            BAD,
        ),
        (
            "verify replan --frozen-days without --previous",
            ["verify", ok_scen, small_replan, "--progress", ok_progress, "--frozen-days", "1"],
            {0, 1, 2},
        ),
        (
            "verify replan --frozen-days nan",
            [
                "verify",
                ok_scen,
                small_replan,
                "--progress",
                ok_progress,
                "--previous",
                small_plan,
                "--frozen-days",
                "nan",
            ],
            BAD,
        ),
        (
            "verify ft06 --progress",
            ["verify", str(BENCH / "ft06.txt"), ft06_plan, "--progress", ok_progress],
            BAD,
        ),
    ]
    for label, out in [
        ("dir", str(adir)),
        ("proc", "/proc/xz.json"),
        ("under file", str(Path(afile) / "p.json")),
        ("markup missing dir", str(W / "[bold]" / "[/x].json")),
        ("dev full", "/dev/full"),
    ]:
        cases.append(
            (
                f"replan --out {label}",
                ["replan", ok_scen, ok_progress, *replan_opts, "--out", out],
                BAD,
            )
        )

    # --- diff: bad plan files on either side
    for p in plan_paths:
        # Some of these are valid plans (of ft06, or with odd IDs): a diff, not an error.
        cases.append((f"diff {Path(p).name} small", ["diff", p, small_plan], {0, 2}))
        cases.append((f"diff small {Path(p).name}", ["diff", small_plan, p], {0, 2}))
    cases += [
        ("diff small small", ["diff", small_plan, small_plan], {0}),
        ("diff small replan", ["diff", small_plan, small_replan, "--scenario", ok_scen], {0}),
        ("diff small ft06", ["diff", small_plan, ft06_plan], {0, 2}),
        (
            "diff --scenario garbage",
            ["diff", small_plan, small_replan, "--scenario", scen_paths[1]],
            BAD,
        ),
        ("diff --scenario dir", ["diff", small_plan, small_replan, "--scenario", str(adir)], BAD),
        (
            "diff --scenario ft06",
            ["diff", small_plan, small_replan, "--scenario", str(BENCH / "ft06.txt")],
            {0, 2},
        ),
        (
            "diff --scenario example",
            ["diff", small_plan, small_replan, "--scenario", str(EXAMPLE)],
            {0, 2},
        ),
        ("diff --plant unknown", ["diff", small_plan, small_replan, "--plant", "XX"], BAD),
        (
            "diff --plant markup",
            ["diff", small_plan, small_replan, "--plant", "[bold]x[/x]"],
            BAD,
        ),
        ("diff --days 0", ["diff", small_plan, small_replan, "--days", "0"], BAD),
        ("diff --days huge", ["diff", small_plan, small_replan, "--days", str(2**70)], BAD),
        (
            "diff --tolerance-hours nan",
            ["diff", small_plan, small_replan, "--tolerance-hours", "nan"],
            BAD,
        ),
        (
            "diff --tolerance-hours -1",
            ["diff", small_plan, small_replan, "--tolerance-hours", "-1"],
            BAD,
        ),
    ]
    for label, out in [
        ("dir", str(adir)),
        ("proc", "/proc/xz.json"),
        ("under file", str(Path(afile) / "d.json")),
        ("dev full", "/dev/full"),
    ]:
        cases.append((f"diff --out {label}", ["diff", small_plan, small_replan, "--out", out], BAD))
        cases.append(
            (f"diff --html {label}", ["diff", small_plan, small_replan, "--html", out], BAD)
        )

    # --- compare: bad variant files of the small scenario
    base_line = f"base: {SMALL}\n"

    cancel = "changes:\n  - {change: cancel_order, order: YN-1}\n"

    def variant(changes: str) -> str:
        return base_line + "changes:\n" + changes

    variants: dict[str, str | bytes] = {
        "v-empty.yaml": "",
        "v-garbage.yaml": os.urandom(2000),
        "v-nonutf8.yaml": base_line.encode() + b"name: \xff\n",
        "v-list.yaml": "- 1\n",
        "v-badjson.json": '{"base": ',
        "v-no-base.yaml": "changes:\n  - {change: cancel_order, order: YN-1}\n",
        "v-no-changes.yaml": base_line,
        "v-empty-changes.yaml": base_line + "changes: []\n",
        "v-base-missing.yaml": "base: nope.yaml\n" + cancel,
        "v-base-dir.yaml": f"base: {adir}\nchanges:\n  - {{change: cancel_order, order: YN-1}}\n",
        "v-base-dev-zero.yaml": "base: /dev/zero\n" + cancel,
        "v-base-fifo.yaml": f"base: {fifo}\nchanges:\n  - {{change: cancel_order, order: YN-1}}\n",
        "v-base-garbage.yaml": f"base: {scen_paths[1]}\n"
        "changes:\n  - {change: cancel_order, order: YN-1}\n",
        "v-base-ft06.yaml": f"base: {BENCH / 'ft06.txt'}\n"
        "changes:\n  - {change: cancel_order, order: YN-1}\n",
        "v-base-self.yaml": "base: v-base-self.yaml\n"
        "changes:\n  - {change: cancel_order, order: YN-1}\n",
        "v-base-int.yaml": "base: 42\nchanges:\n  - {change: cancel_order, order: YN-1}\n",
        "v-base-markup.yaml": "base: '[bold]x[/x].yaml'\n"
        "changes:\n  - {change: cancel_order, order: YN-1}\n",
        "v-unknown-change.yaml": variant("  - {change: explode, order: YN-1}\n"),
        "v-unknown-key.yaml": variant("  - {change: cancel_order, order: YN-1, why: x}\n"),
        "v-unknown-order.yaml": variant("  - {change: cancel_order, order: YN-2}\n"),
        "v-unknown-plant.yaml": variant(
            "  - {change: add_units, plant: XX, machine: x, units: 1}\n"
        ),
        "v-units-neg.yaml": variant(
            "  - {change: add_units, plant: CMT, machine: lathe, units: -5}\n"
        ),
        "v-units-huge.yaml": variant(
            "  - {change: add_units, plant: CMT, machine: lathe, units: 1000000000000}\n"
        ),
        "v-days-float.yaml": variant(
            "  - {change: delay_machine, plant: WJ, machine: foundry, days: 1.5}\n"
        ),
        "v-days-huge.yaml": variant(
            "  - {change: delay_machine, plant: WJ, machine: foundry, days: 100000000}\n"
        ),
        "v-due-word.yaml": variant("  - {change: set_order, order: YN-1, due: soon}\n"),
        "v-due-year1.yaml": variant("  - {change: set_order, order: YN-1, due: 0001-01-01}\n"),
        "v-cancel-all.yaml": variant(
            "  - {change: cancel_order, order: YN-1}\n  - {change: cancel_order, order: SC-1}\n"
        ),
        "v-remove-needed.yaml": variant("  - {change: remove_machine, plant: CMT, machine: bay}\n"),
        "v-supply-none.yaml": variant("  - {change: change_supply, index: 0, quantity: 1}\n"),
        "v-add-order-bad.yaml": variant("  - {change: add_order, order: {id: YN-1}}\n"),
        "v-changes-str.yaml": base_line + "changes: cancel everything\n",
        "v-laughs.yaml": "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "v-deep.yaml": base_line + "changes: " + "[" * 5000 + "]" * 5000 + "\n",
        "v-huge.yaml": base_line + "# " + "x" * (3 << 20) + "\n",
    }
    # A chain of variants six deep: the fifth and sixth are one and two too many.
    for depth in range(6):
        parent = str(SMALL) if depth == 0 else f"v-chain{depth - 1}.yaml"
        variants[f"v-chain{depth}.yaml"] = (
            f"base: {parent}\nchanges:\n  - {{change: set_order, order: YN-1, priority: 5}}\n"
        )
    variants["v-cycle-a.yaml"] = "base: v-cycle-b.yaml\n" + cancel
    variants["v-cycle-b.yaml"] = "base: v-cycle-a.yaml\n" + cancel
    variant_paths = [f(f"variants/{k}", v) for k, v in variants.items()]
    variant_paths += [
        str(W / "variants" / "missing.yaml"),
        str(adir),
        str(fifo),
        "/dev/zero",
        "/dev/null",
        f("variants/[red]v[/red].yaml", "base: '[/x]'\n"),
    ]
    compare_opts = ["--time-limit", "1", "--workers", "1", "--jobs", "1"]
    for p in variant_paths:
        expected = {0} if "chain" in p and not p.endswith(("chain4.yaml", "chain5.yaml")) else BAD
        if p.endswith(("v-cancel-all.yaml", "v-remove-needed.yaml", "v-due-year1.yaml")):
            expected = {0, 2}  # meaningful what-ifs or refused: either is fine, no traceback
        cases.append(
            (f"compare small {Path(p).name}", ["compare", ok_scen, p, *compare_opts], expected)
        )
    cases += [
        ("compare garbage base", ["compare", scen_paths[1], ok_scen, *compare_opts], BAD),
        ("compare dir base", ["compare", str(adir), ok_scen, *compare_opts], BAD),
        ("compare ft06 base", ["compare", str(BENCH / "ft06.txt"), ok_scen, *compare_opts], {0, 2}),
        (
            "compare --out-dir under file",
            ["compare", ok_scen, ok_scen, *compare_opts, "--out-dir", str(Path(afile) / "d")],
            BAD,
        ),
        (
            "compare --html dir",
            ["compare", ok_scen, ok_scen, *compare_opts, "--html", str(adir)],
            BAD,
        ),
        (
            "compare --jobs 0",
            ["compare", ok_scen, ok_scen, "--time-limit", "1", "--jobs", "0"],
            BAD,
        ),
        (
            "compare --time-limit nan",
            ["compare", ok_scen, ok_scen, "--time-limit", "nan", "--jobs", "1"],
            BAD,
        ),
    ]
    cases += _advise_cases(scen_paths, plan_paths, variant_paths, adir, afile)
    cases += _workbook_cases(f, adir, afile)
    return cases


def _advise_cases(
    scen_paths: list[str],
    plan_paths: list[str],
    variant_paths: list[str],
    adir: Path,
    afile: str,
) -> list[tuple[str, list[str], set[int]]]:
    """advise: bad scenarios, damaged or foreign plans, bad variants, outputs, options."""
    ok_scen = str(SMALL)
    opts = ["--time-limit", "1", "--workers", "1", "--jobs", "1", "--max-candidates", "1"]
    cases: list[tuple[str, list[str], set[int]]] = [
        (f"advise {Path(p).name}", ["advise", p, *opts], BAD)
        for p in [*scen_paths[:19], str(BENCH / "ft06.txt"), str(adir)]
    ]
    cases += [
        (f"advise small {Path(p).name}", ["advise", ok_scen, p, *opts], ANY_OK) for p in plan_paths
    ]
    cases += [
        (f"advise variant {Path(p).name}", ["advise", p, *opts], {0, 2}) for p in variant_paths
    ]
    cases += [
        ("advise --json dir", ["advise", ok_scen, *opts, "--json", str(adir)], BAD),
        (
            "advise --json under file",
            ["advise", ok_scen, *opts, "--json", str(Path(afile) / "a.json")],
            BAD,
        ),
        ("advise --json /dev/full", ["advise", ok_scen, *opts, "--json", "/dev/full"], BAD),
        ("advise --jobs 0", ["advise", ok_scen, "--time-limit", "1", "--jobs", "0"], BAD),
        ("advise --max-candidates 0", ["advise", ok_scen, *opts[:6], "--max-candidates", "0"], BAD),
        ("advise --time-limit nan", ["advise", ok_scen, "--time-limit", "nan"], BAD),
    ]
    return cases


def _workbook_cases(
    f: Callable[[str, bytes | str], str], adir: Path, afile: str
) -> list[tuple[str, list[str], set[int]]]:
    """``xiezuo export --xlsx`` to bad places, ``xiezuo import`` of damaged workbooks."""
    import zipfile
    from datetime import datetime

    import openpyxl

    good = str(W / "workbooks" / "small.xlsx")
    (W / "workbooks").mkdir()
    r = CliRunner().invoke(app, ["export", str(SMALL), "--xlsx", good])
    assert r.exit_code == 0, r.output

    def cell(sheet: str, ref: str, value: object) -> Callable[[Any], None]:
        def damage(book: Any) -> None:
            book[sheet][ref].value = value

        return damage

    damages: dict[str, Callable[[Any], object]] = {
        "missing-sheet": lambda book: book.remove(book["orders"]),
        "unknown-sheet": lambda book: book.create_sheet("red x"),
        "merged": lambda book: book["items"].merge_cells("A2:B3"),
        "date-text": cell("orders", "E2", "1958-09-30"),
        "formula": cell("orders", "D2", "=1/0"),
        "wrong-type": cell("machines", "D2", "three"),
        "empty-id": cell("plants", "A2", None),
        "duplicate-id": cell("items", "A3", "MILL"),
        "header": cell("lanes", "A1", "form"),
        "no-header": cell("lanes", "A1", None),
        "unknown-ref": cell("orders", "C2", "[bold]MILL"),
        "bom-cycle": lambda book: book["bom"].append(["BED", "MILL"]),
        "step-gap": cell("operations", "C2", 7),
        "huge-number": cell("orders", "D2", 10**300),
        "far-date": cell("orders", "E2", datetime(2199, 12, 31)),
        "two-networks": lambda book: book["network"].append(["again"]),
    }
    cases: list[tuple[str, list[str], set[int]]] = []
    for name, damage in damages.items():
        book = openpyxl.load_workbook(good)
        damage(book)
        path = W / "workbooks" / f"{name}.xlsx"
        book.save(path)
        out = str(W / "workbooks" / f"{name}.yaml")
        cases.append((f"import {name}", ["import", str(path), "--out", out], BAD))
    bomb = W / "workbooks" / "bomb.xlsx"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(256):
            member.write(bytes(2**20))
    out = str(W / "workbooks" / "out.yaml")
    for name, target in [
        ("garbage", f("workbooks/garbage.xlsx", bytes(range(256)) * 40)),
        ("empty", f("workbooks/empty.xlsx", b"")),
        ("zip-bomb", str(bomb)),
        ("dir", str(adir)),
        ("devzero", "/dev/zero"),
        ("xls", f("workbooks/old.xls", b"\xd0\xcf\x11\xe0")),
    ]:
        cases.append((f"import {name}", ["import", target, "--out", out], BAD))
    cases += [
        ("import --out dir", ["import", good, "--out", str(adir)], BAD),
        ("import --out .txt", ["import", good, "--out", str(W / "x.txt")], BAD),
        ("import --out under file", ["import", good, "--out", f"{afile}/x.yaml"], BAD),
        ("export --xlsx dir", ["export", str(SMALL), "--xlsx", str(adir)], BAD),
        ("export --xlsx .csv", ["export", str(SMALL), "--xlsx", str(W / "x.csv")], BAD),
        ("export --xlsx under file", ["export", str(SMALL), "--xlsx", f"{afile}/x.xlsx"], BAD),
        ("export garbage scenario", ["export", afile, "--xlsx", str(W / "g.xlsx")], BAD),
    ]
    return cases


def run_case(args: list[str]) -> dict[str, Any]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
        try:
            res = CliRunner(env={"COLUMNS": "200"}).invoke(app, args)
            tb = ""
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                tb = "".join(traceback.format_exception(res.exception))
            out = json.dumps({"code": res.exit_code, "tb": tb, "out": res.output[-3000:]})
        except BaseException as exc:
            out = json.dumps({"code": -1, "tb": repr(exc), "out": ""})
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    start = time.monotonic()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > TIMEOUT:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(r)
            return {"code": None, "tb": "", "out": "", "hang": True, "s": TIMEOUT}
        time.sleep(0.05)
    data = b""
    while chunk := os.read(r, 1 << 16):
        data += chunk
    os.close(r)
    elapsed = time.monotonic() - start
    if not data:
        return {"code": None, "tb": f"child died status {status}", "out": "", "s": elapsed}
    d: dict[str, Any] = json.loads(data)
    d["s"] = elapsed
    return d


def main() -> None:
    cases = setup()
    only = os.environ.get("CORPUS_ONLY")
    results: list[tuple[str, dict[str, Any], bool, bool, bool]] = []
    for name, args, expected in cases:
        if only and only not in name:
            continue
        d = run_case(args)
        tb = bool(d["tb"]) or "Traceback" in d["out"]
        hang = d.get("hang", False)
        wrong = not hang and d["code"] not in expected
        results.append((name, d, tb, hang, wrong))
        flag = "HANG" if hang else "TB" if tb else "WRONG" if wrong else "ok"
        if flag != "ok" or os.environ.get("CORPUS_VERBOSE"):
            last = (
                (d["tb"].strip().splitlines() or [""])[-1]
                if tb
                else d["out"].strip().replace("\n", " | ")[:300]
            )
            print(f"{flag:5} {d['code']!s:4} {d['s']:5.1f}s {name}: {last}", flush=True)
    tracebacks = sum(r[2] for r in results)
    wrong_codes = sum(r[4] for r in results)
    hangs = sum(r[3] for r in results)
    slow = sum(1 for r in results if r[1]["s"] > 5)
    print(
        f"cases {len(results)}; tracebacks {tracebacks}; wrong exit codes {wrong_codes}; "
        f"hangs>{TIMEOUT:.0f}s {hangs}; slow>5s {slow}"
    )


if __name__ == "__main__":
    main()
