"""The peak load per pool names the month the pool is fullest too, when that is another month (s23
scenario tester: with primary cut to 80 % for 2025-01..06 the table said 56.5 of 72 FTE in 2025-10,
78.5 %, where the plan runs at 56 of 57.6 FTE, 97 %, in 2025-02)."""

from __future__ import annotations

from dataclasses import replace

from test_render import make_problem, make_solution, render

from hpplan.formats import peak_loads
from hpplan.solution import LoadPoint


def _with_prim(solution, points: dict[str, tuple[float, float]]):
    load = [LoadPoint(p.pool, p.month, *points[p.month]) if p.pool == "prim" and p.month in points else p
            for p in solution.load]
    return replace(solution, load=load)


def test_the_fullest_month_is_named_when_the_capacity_changes():
    problem = make_problem()
    solution = _with_prim(make_solution(problem), {"2025-05": (5.6, 5.8)})  # prim cut to 5.8 FTE there
    prim, = [p for p in peak_loads(problem, solution) if p.pool == "prim"]
    assert (prim.month, prim.used, prim.limit) == ("2025-11", 7.5, 20.0)
    assert (prim.fullest.month, prim.fullest.used, prim.fullest.limit) == ("2025-05", 5.6, 5.8)
    assert prim.fullest.fullest is None
    text = render(problem, solution, 120)
    peak_row = next(line for line in text.splitlines() if line.startswith("prim") and "2025-11" in line)
    fullest_row = next(line for line in text.splitlines() if line.startswith("prim: fullest month"))
    assert "7.5" in peak_row and "37.5%" in peak_row
    assert "5.6" in fullest_row and "2025-05" in fullest_row and "96.6%" in fullest_row


def test_one_capacity_names_no_fullest_month_apart():
    problem = make_problem()
    solution = make_solution(problem)
    assert all(p.fullest is None for p in peak_loads(problem, solution))
    assert "fullest month" not in render(problem, solution, 120)


def test_the_markdown_and_html_peak_tables_have_the_fullest_month_row_too():
    from hpplan.formats import to_markdown
    from hpplan.report import report_html

    problem = make_problem()
    solution = _with_prim(make_solution(problem), {"2025-05": (5.6, 5.8)})
    assert "| prim: fullest month | 5.6 | 2025-05 | 5.8 | 96.6% |" in to_markdown(problem, solution)
    page = report_html(problem, solution)
    assert "prim: fullest month" in page and "fullest 96.6% in 2025-05" in page
