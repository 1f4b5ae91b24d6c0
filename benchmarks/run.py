"""`make bench`: the benchmark suite (src/hpplan/bench.py; docs/benchmarks.md). Arguments pass through,
e.g. `make bench ARGS="--quick"` or `python benchmarks/run.py --all --compare benchmarks/results/OLD.json`."""

import sys

from hpplan.bench import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
