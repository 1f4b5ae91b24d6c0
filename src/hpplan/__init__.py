"""hpplan: plan the staged rollout of a shared health record with a solver.

The library API a notebook can call; the `hpplan` command is a thin shell over it:

    >>> import hpplan
    >>> problem = hpplan.load_problem("data")
    >>> solution = hpplan.solve(problem, hpplan.SolveOptions(time_limit=30))
    >>> hpplan.verify(problem, solution)   # [] when every rule and limit holds

A solve can be stopped early from another thread (it returns its best plan so far):
`options = hpplan.SolveOptions(stop=hpplan.StopRequest())`, then `options.stop.request()`; without
one, Ctrl-C does the same. `hpplan.PlanBroken` is raised rather than a plan the verifier rejects (a bug).
"""

from .errors import InputError
from .loader import load_problem
from .problem import Problem
from .solution import Solution, Status, read_plan
from .solve import PlanBroken, SolveOptions, solve
from .stopping import StopRequest
from .verify import Violation, verify

__version__ = "0.1.0"


__all__ = [
    "InputError",
    "PlanBroken",
    "Problem",
    "Solution",
    "SolveOptions",
    "Status",
    "StopRequest",
    "load_problem",
    "read_plan",
    "solve",
    "verify",
    "Violation",
]
