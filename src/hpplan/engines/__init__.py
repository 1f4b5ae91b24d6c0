"""Engines other than hpplan's CP-SAT model, on the same problem (docs/benchmarks.md).

- `common`: the problem in flat form (domains, loads per pool and month, normalised rules) and the
  objective coefficients, shared by the greedy scheduler (`hpplan.greedy`) and the MIP (`highs`);
- `highs`: the time-indexed model of docs/model.md as a MIP, solved by HiGHS (`highspy`).
"""
