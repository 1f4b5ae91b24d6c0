"""Phase-2 experiment: the incumbent cut-off for the makespan objective, with the core model unchanged
(docs/benchmarks.md "Phase 2"). For each PSPLIB instance: the greedy plan's makespan U (one pass, or
`--passes N` of hpplan.greedy.multi_pass), the instance converted with horizon U (exactly the cut-off:
no window after U, `latest` = U - tail), then the bench's engines on it, each in a subprocess.

    .venv/bin/python benchmarks/cutoff.py --count 10 --engines cp-sat,cp-sat-hint
    .venv/bin/python benchmarks/cutoff.py --passes 50 --names j3025_1,j3029_9
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from hpplan.engines.common import flatten, makespan_of
from hpplan.greedy import multi_pass, schedule
from hpplan.loader import load_problem
from hpplan.psplib import instance_files, parse_sm, read_bounds, write_hpplan

PSPLIB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "psplib"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--names", default="")
    ap.add_argument("--passes", type=int, default=0)
    ap.add_argument("--engines", default="cp-sat")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--work", default=str(Path(__file__).parent / "results" / "instances" / "cutoff"))
    args = ap.parse_args()
    files = instance_files(PSPLIB / "j30")
    if args.names:
        files = [PSPLIB / "j30" / f"{n}.sm" for n in args.names.split(",")]
    else:
        step = len(files) / args.count
        files = [files[int(i * step)] for i in range(args.count)]
    bounds = read_bounds(PSPLIB / "makespans")
    for path in files:
        inst = parse_sm(path)
        problem = load_problem(write_hpplan(inst, Path(args.work) / f"{inst.name}-full"))
        flat = flatten(problem)
        plan = multi_pass(problem, args.passes, flat=flat) if args.passes else schedule(problem, flat)
        upper = makespan_of(flat, plan.chosen)
        short = write_hpplan(inst, Path(args.work) / f"{inst.name}-cut", horizon=upper)
        for engine in args.engines.split(","):
            spec = {"instance": inst.name, "family": "psplib", "data": str(short), "engine": engine,
                    "time_limit": args.time_limit, "seed": 0, "workers": 2}
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
                out = handle.name
            subprocess.run([sys.executable, "-m", "hpplan.bench", "--child", json.dumps(spec), "--child-out", out],
                           check=False)
            r = json.loads(Path(out).read_text())
            Path(out).unlink()
            print(json.dumps({"instance": inst.name, "engine": engine, "cut_at": upper,
                              "published": bounds[inst.name].optimal, "status": r["status"],
                              "objective": r["objective"], "solve_time": r["solve_time"], "peak_mb": r["peak_mb"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
