"""Synthetic rollout instances with the structure of the real data, seeded and reproducible.

`hpplan generate --size region|regional-300|national --seed N --out DIR` writes `organisations.yaml` and
`waves.yaml` in the shipped format (loadable by `hpplan.loader.load_problem`). The same size and seed
give the same bytes. Every number carries `source: {all: "estimate: synthetic, seed N"}`: nothing here is
real, it only has the shape of the real data (docs/benchmarks.md "Synthetic instances"):

- health regions, each with health trusts in a decided order (`order` rule); every trust with its
  hospitals (`together` rule); the first trust of the first region is already live (history);
- municipalities with heavy-tailed populations (log-normal, median about 5,000, the largest several
  hundred thousand, as in Norway), each served by one trust; users about 5.5 % of the population;
  small / medium / large load profiles by population;
- GP offices in proportion to population (Norway: about one per 3,200 people), users by size class
  (offices of a class are interchangeable), about a fifth private and optional;
  `with_or_before each: gp_office`;
- statuses: live (history windows), signed, planned, opted out with a return date, optional;
  `earliest` dates as in the shipped data (signed: +6 months, planned: +12 months);
- tracks of municipalities with a preferred window each; `not_same_window` for the two largest
  municipalities of each trust;
- four windows a year (February, April, September, November Saturdays), summer and Christmas blackouts
  plus two that bar real windows (by kind and by actor);
- two pools (specialist, primary) with a capacity change, window limits (municipalities, GP offices,
  users, trusts), sized so that capacity binds: the pools start at `capacity_factor` (1.5) times the
  average monthly load that the planned go-lives need, then rise in steps of 10 % until the greedy
  scheduler (`hpplan.greedy`) finds a plan, so every generated instance is feasible.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import InputError, Location
from .io import check_writable, write_pair
from .problem import Problem
from .schema import OrganisationsFile, WavesFile, slug

PLANNING_DATE = dt.date(2024, 1, 15)
#: window months and the Saturday nearest to this day of the month
WINDOW_MONTHS = ((2, 10), (4, 25), (9, 12), (11, 8))
HISTORY = (dt.date(2023, 4, 29), dt.date(2023, 11, 4))


@dataclass(frozen=True)
class Size:
    name: str
    regions: int
    trusts: int
    municipalities: int
    actors: int  # total organisations (trusts + hospitals + municipalities + GP offices)
    years: int  # years of future windows, four a year
    max_trusts: int = 1
    #: pool capacity as a multiple of the average monthly load of all planned go-lives over the years
    capacity_factor: float = 1.5


SIZES = {
    "region": Size("region", regions=1, trusts=3, municipalities=40, actors=100, years=4),
    "regional-300": Size("regional-300", regions=1, trusts=4, municipalities=90, actors=300, years=5),
    "national": Size("national", regions=4, trusts=20, municipalities=356, actors=2100, years=8, max_trusts=2),
}

PROFILES = [
    ("health_trust", [45, 55, 65, 75, 85, 95], [100, 60, 30]),
    ("health_trust-large", [65, 80, 95, 110, 125, 140], [150, 90, 45]),
    ("hospital", [3, 4, 6, 8], [10, 4]),
    ("municipality", [1, 2, 3, 4, 5], [6, 3]),
    ("municipality-small", [0.5, 1, 1.5, 2, 2.5], [3.5, 1.5]),
    ("municipality-large", [2, 3, 4.5, 6, 7.5, 9], [10, 5]),
    ("gp_office", [0.5, 1, 1.5], [1.5, 0.5]),
]

#: users of a GP office, by size class (about 5, 10 or 15 GPs and their staff): offices of a class are
#: interchangeable, as estimates by class are in the real data (15 users each)
GP_USERS = (10, 15, 15, 15, 30)

SYLLABLES_A = ["Ask", "Bjør", "Dal", "Eid", "Fjell", "Fro", "Gran", "Ham", "Hol", "Kval", "Lei", "Lund", "Mo",
               "Nes", "Rø", "Sand", "Skog", "Sol", "Stor", "Sun", "Tin", "Ul", "Vik", "Ør", "Ås", "Bø", "Lyng"]
SYLLABLES_B = ["dal", "vik", "nes", "berg", "land", "stad", "heim", "sund", "haug", "øy", "fjord", "vang", "mark",
               "rud", "set", "å", "bu", "lia", "strand"]


def _saturday_near(year: int, month: int, day: int) -> dt.date:
    d = dt.date(year, month, day)
    return d + dt.timedelta(days=(5 - d.weekday()) % 7)


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, min(day.day, 28))


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def place(self) -> str:
        for _ in range(1000):
            name = self.rng.choice(SYLLABLES_A) + self.rng.choice(SYLLABLES_B)
            if slug(name) not in self.used:
                self.used.add(slug(name))
                return name
        n = 2
        base = self.rng.choice(SYLLABLES_A) + self.rng.choice(SYLLABLES_B)
        while slug(f"{base} {n}") in self.used:
            n += 1
        self.used.add(slug(f"{base} {n}"))
        return f"{base} {n}"


def generate(size: str | Size, seed: int, *, limit_kinds: bool = True) -> tuple[dict, dict]:
    """(organisations.yaml, waves.yaml) as plain data for a size and seed. Without `limit_kinds` the
    per-kind actor limits (municipalities, GP offices) become one limit on all organisations. The steps
    draw from one random stream in this order: the same size and seed give the same instance."""
    spec = SIZES[size] if isinstance(size, str) else size
    rng = random.Random(f"hpplan-generate:{spec.name}:{seed}")
    source = {"all": f"estimate: synthetic, seed {seed}"}
    draft = _Draft(spec, rng, source, _Names(rng), _windows(spec, source))
    _organisations(draft)
    _statuses(draft)
    tracks = _tracks(draft)
    rules = _rules(draft)
    organisations = _in_data_order(draft)
    waves = {
        "planning_date": PLANNING_DATE,
        "windows": draft.windows,
        "blackouts": _blackouts(draft),
        "tracks": tracks,
        "pools": [],
        "load_profiles": [{"id": pid, "before": before, "hypercare": after, "source": source}
                          for pid, before, after in PROFILES],
        "limits": _limits(draft, [o for o in organisations if o["status"] != "live"], limit_kinds),
        "rules": rules,
        "objective": {"population_weight": 1, "preferred_window_penalty": 20000, "unscheduled_months": 12},
        "source": source,
    }
    _size_pools(waves, organisations, source, spec)
    return {"organisations": organisations}, waves


@dataclass
class _Draft:
    """An instance being generated: its size, the one random stream every step draws from (in
    `generate`'s order), the source note every entry carries, the place names, the windows (history and
    future), and the organisations as the steps make them (`_trust`, `_region`, `_private`: the steps'
    own marks, dropped before the data is written)."""

    spec: Size
    rng: random.Random
    source: dict
    names: "_Names"
    windows: list[dict]
    trusts: list[dict] = field(default_factory=list)
    hospitals: list[list[dict]] = field(default_factory=list)  # per trust
    munis: list[dict] = field(default_factory=list)
    gps: list[dict] = field(default_factory=list)
    #: the municipalities not live at the planning date
    rest: list[dict] = field(default_factory=list)

    @property
    def future(self) -> list[dict]:
        return [w for w in self.windows if w.get("name") != "History"]


def _windows(spec: Size, source: dict) -> list[dict]:
    """The history windows, then four a year for the size's years from the planning date's year."""
    windows = [{"id": f"h{i + 1}-{d:%Y-%m}", "date": d, "name": "History", "source": source}
               for i, d in enumerate(HISTORY)]
    for year in range(PLANNING_DATE.year, PLANNING_DATE.year + spec.years):
        for month, day in WINDOW_MONTHS:
            d = _saturday_near(year, month, day)
            windows.append({"id": f"{d:%Y-%m}", "date": d, "source": source})
    return windows


def _organisations(draft: _Draft) -> None:
    """Trusts with two to four hospitals each, municipalities (log-normal populations, each in a trust's
    catchment), and GP offices shared out by population (largest remainder)."""
    spec, rng, names = draft.spec, draft.rng, draft.names
    hospitals_per_trust = [rng.randint(2, 4) for _ in range(spec.trusts)]
    gp_total = spec.actors - spec.trusts - sum(hospitals_per_trust) - spec.municipalities
    if gp_total < 0:
        raise ValueError(f"size {spec.name}: {spec.actors} actors are fewer than trusts, hospitals and municipalities")
    populations = sorted((min(700_000, max(200, round(rng.lognormvariate(math.log(5000), 1.1))))
                          for _ in range(spec.municipalities)), reverse=True)
    trust_of_muni = _split(rng, spec.municipalities, spec.trusts)
    region_of_trust = [t * spec.regions // spec.trusts for t in range(spec.trusts)]
    munis = draft.munis
    for i, pop in enumerate(populations):
        name = names.place()
        munis.append({"id": slug(name), "name": name, "kind": "municipality", "population": pop,
                      "users": max(10, round(pop * 0.055)), "_trust": trust_of_muni[i]})
    rng.shuffle(munis)  # data order is not population order
    for t in range(spec.trusts):
        catchment = sum(m["population"] for m in munis if m["_trust"] == t)
        name = f"Helse {names.place()}"
        total_users = max(500, round(catchment * 0.025))
        trust = {"id": slug(name), "name": name + " HF", "kind": "health_trust", "population": catchment,
                 "users": round(total_users * 0.2), "_region": region_of_trust[t]}
        if catchment > 400_000:
            trust["load_profile"] = "health_trust-large"
        draft.trusts.append(trust)
        hs = []
        for _ in range(hospitals_per_trust[t]):
            hname = f"{names.place()} sjukehus"
            hs.append({"id": slug(hname), "name": hname, "kind": "hospital", "part_of": trust["id"], "population": 0,
                       "users": round(total_users * 0.8 / hospitals_per_trust[t]), "load_profile": "hospital"})
        draft.hospitals.append(hs)
    for m in munis:
        pop = m["population"]
        if pop < 5000:
            m["load_profile"] = "municipality-small"
        elif pop >= 20000:
            m["load_profile"] = "municipality-large"
    total_pop = sum(m["population"] for m in munis)
    shares = [gp_total * m["population"] / total_pop for m in munis]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(munis)), key=lambda i: (counts[i] - shares[i], i))[: gp_total - sum(counts)]:
        counts[i] += 1
    for m, n in zip(munis, counts):
        for j in range(n):
            draft.gps.append({"id": f"{m['id']}-legekontor-{j + 1}", "name": f"{m['name']} legekontor {j + 1}",
                              "kind": "gp_office", "municipality": m["id"], "population": 0,
                              "users": rng.choice(GP_USERS), "_private": rng.random() < 0.2})


def _statuses(draft: _Draft) -> None:
    """History and statuses: the first trust, its hospitals and a quarter of its municipalities live;
    the next trusts signed (one per region), the others planned; the other municipalities signed,
    planned or opted out for a while; GP offices as their municipality, private ones optional."""
    spec, rng, trusts, munis = draft.spec, draft.rng, draft.trusts, draft.munis
    six, twelve = _add_months(PLANNING_DATE, 6), _add_months(PLANNING_DATE, 12)
    trusts[0].update(status="live", live_since=HISTORY[0])
    for h in draft.hospitals[0]:
        h.update(status="live", live_since=HISTORY[0])
    own = sorted((m for m in munis if m["_trust"] == 0), key=lambda m: -m["population"])
    live = set()
    for m in own[: max(1, len(own) // 4)]:
        m.update(status="live", live_since=HISTORY[0] if m is own[0] else HISTORY[1])
        live.add(m["id"])
    for t, trust in enumerate(trusts[1:], start=1):
        trust["status"] = "signed" if t < 1 + spec.regions else "planned"
        trust["earliest"] = _add_months(PLANNING_DATE, 3) if t == 1 else six if t < 1 + spec.regions else twelve
        for h in draft.hospitals[t]:
            h["status"] = trust["status"]
    draft.rest = [m for m in munis if m["id"] not in live]
    for m in draft.rest:
        r = rng.random()
        if r < 0.3:
            m.update(status="signed", earliest=six)
        elif r < 0.96:
            m.update(status="planned", earliest=twelve)
        else:
            m.update(status="opted_out", returns=_add_months(PLANNING_DATE, 18))
    status_of = {m["id"]: m for m in munis}
    for g in draft.gps:
        muni = status_of[g["municipality"]]
        if g.pop("_private"):
            g.update(status="optional", private=True, earliest=_add_months(PLANNING_DATE, 3))
        elif muni["status"] == "live":  # half of them already joined their municipality
            if rng.random() < 0.5:
                g.update(status="live", live_since=HISTORY[1])
            else:
                g.update(status="signed", earliest=_add_months(PLANNING_DATE, 3))
        elif muni["status"] == "opted_out":
            g.update(status="signed", earliest=muni["returns"])
        else:
            g.update(status=muni["status"], earliest=muni["earliest"])


def _tracks(draft: _Draft) -> list[dict]:
    """Tracks of up to ten of a trust's municipalities (about 70 % of them) with a preferred window
    each, and the trusts' preferred windows, spread over the regions; the tracks."""
    rng, future = draft.rng, draft.future
    tracks = []
    for t in range(draft.spec.trusts):
        members = sorted((m for m in draft.rest if m["_trust"] == t and m["status"] in ("signed", "planned")
                          and rng.random() < 0.7), key=lambda m: m["id"])
        for j in range(0, len(members), 10):
            group = members[j:j + 10]
            earliest = max(m["earliest"] for m in group)
            allowed = [w for w in future if w["date"] >= earliest]
            window = allowed[min(len(allowed) - 1, rng.randint(0, max(0, len(allowed) // 2)))]
            track_id = f"T{len(tracks) + 1}"
            tracks.append({"id": track_id, "name": f"Track {track_id} ({window['id']})", "source": draft.source})
            for m in group:
                m.update(track=track_id, preferred_window=window["id"])
    for t, trust in enumerate(draft.trusts[1:], start=1):
        allowed = [w for w in future if w["date"] >= trust["earliest"]]
        trust["preferred_window"] = allowed[min(len(allowed) - 1, 2 * (t - 1) // max(1, draft.spec.regions))]["id"]
    return tracks


def _rules(draft: _Draft) -> list[dict]:
    """GP offices with or before their municipality; a trust together with its hospitals; each region's
    trusts in order; a trust's two largest municipalities not in the same window."""
    source, trusts = draft.source, draft.trusts
    rules: list[dict] = [{"id": "gp-offices-with-or-before-municipality", "type": "with_or_before",
                          "each": "gp_office", "reason": "GP offices go live with or before their municipality",
                          "source": source}]
    for t, trust in enumerate(trusts):
        if trust.get("status") != "live":
            rules.append({"id": f"{trust['id']}-together", "type": "together",
                          "actors": [trust["id"]] + [h["id"] for h in draft.hospitals[t]],
                          "reason": "a trust goes live with all its hospitals", "source": source})
    for r in range(draft.spec.regions):
        order = [tr["id"] for tr in trusts if tr["_region"] == r]
        if len(order) > 1:
            rules.append({"id": f"region-{r + 1}-trust-order", "type": "order", "actors": order, "min_gap_windows": 1,
                          "reason": "the region's trusts go live one after another", "source": source})
    for t in range(draft.spec.trusts):
        big = sorted((m for m in draft.rest if m["_trust"] == t and m["status"] != "opted_out"),
                     key=lambda m: -m["population"])[:2]
        if len(big) == 2:
            rules.append({"id": f"{trusts[t]['id']}-largest-apart", "type": "not_same_window",
                          "actors": [m["id"] for m in big],
                          "reason": "the two largest municipalities share a support team", "source": source})
    return rules


def _in_data_order(draft: _Draft) -> list[dict]:
    """The organisations as organisations.yaml lists them (each trust and its hospitals, municipalities
    and GP offices by id), each with the source note and without the steps' own marks."""
    organisations = []
    for t, trust in enumerate(draft.trusts):
        organisations.append(trust)
        organisations.extend(draft.hospitals[t])
    organisations.extend(sorted(draft.munis, key=lambda m: m["id"]))
    organisations.extend(sorted(draft.gps, key=lambda g: g["id"]))
    for o in organisations:
        o.pop("_trust", None)
        o.pop("_region", None)
        o["source"] = draft.source
    return organisations


def _limits(draft: _Draft, plannable: list[dict], limit_kinds: bool) -> list[dict]:
    """Per window: trusts, municipalities and GP offices (or, without `limit_kinds`, all organisations)
    and users, sized so that the plannable organisations fit in the usable windows about twice over."""
    spec, source, trusts = draft.spec, draft.source, draft.trusts
    usable = max(1, len(draft.future) - 4)  # the first windows are closed to most by their earliest dates
    n_munis = sum(o["kind"] == "municipality" for o in plannable)
    n_gps = sum(o["kind"] == "gp_office" for o in plannable)
    group_users = max(trust["users"] + sum(h["users"] for h in draft.hospitals[t]) for t, trust in enumerate(trusts))
    users = sum(o.get("users", 0) for o in plannable)
    limits = [
        {"max_trusts": spec.max_trusts, "source": source,
         "note": "trusts going live in one production setting"},
        {"kinds": ["municipality"], "max_actors": max(4, math.ceil(2.0 * n_munis / usable)), "source": source,
         "note": "municipalities in one production setting"},
        {"kinds": ["gp_office"], "max_actors": max(6, math.ceil(2.5 * n_gps / usable)), "source": source,
         "note": "GP offices in one production setting"},
        {"max_users": _round_up(max(2.5 * users / usable, 1.3 * group_users), 500), "source": source,
         "note": "users trained for one night"},
    ]
    if not limit_kinds:
        del limits[1:3]
        limits.append({"max_actors": max(10, math.ceil(2.5 * len(plannable) / usable)), "source": source,
                       "note": "organisations in one production setting"})
    return limits


def _blackouts(draft: _Draft) -> list[dict]:
    """Summer and Christmas every year, the hospitals' budget close in November of the second year, and
    the largest planned municipality's election in September of the fourth, in date order."""
    source = draft.source
    blackouts = []
    for year in range(PLANNING_DATE.year, PLANNING_DATE.year + draft.spec.years):
        blackouts.append({"from": dt.date(year, 6, 15), "to": dt.date(year, 8, 15), "reason": "Summer holidays",
                          "source": source})
        blackouts.append({"from": dt.date(year, 12, 15), "to": dt.date(year + 1, 1, 6), "reason": "Christmas and New Year",
                          "source": source})
    nov = _saturday_near(PLANNING_DATE.year + 1, 11, 8)
    blackouts.append({"from": nov - dt.timedelta(days=3), "to": nov + dt.timedelta(days=3), "kinds": ["health_trust", "hospital"],
                      "reason": "hospital budget close", "source": source})
    election = next(m for m in sorted(draft.rest, key=lambda m: -m["population"]) if m["status"] == "planned")
    sep = _saturday_near(PLANNING_DATE.year + 3, 9, 12)
    blackouts.append({"from": sep - dt.timedelta(days=10), "to": sep + dt.timedelta(days=10), "actors": [election["id"]],
                      "reason": "municipal election", "source": source})
    blackouts.sort(key=lambda b: (b["from"], b["to"]))
    return blackouts


def _round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


def _split(rng: random.Random, n: int, parts: int) -> list[int]:
    """Assign n items (by descending size) to parts: the largest items spread over the parts first,
    the rest at random, so every part has a city and some countryside."""
    result = [i % parts for i in range(min(n, parts))]
    result += [rng.randrange(parts) for _ in range(n - len(result))]
    return result


def _problem(orgs: dict, waves: dict) -> Problem:
    return Problem(OrganisationsFile.model_validate(orgs).organisations, WavesFile.model_validate(waves))


def _size_pools(waves: dict, organisations: list[dict], source: dict, spec: Size) -> None:
    """Pools that bind: start from `capacity_factor` x the average monthly load the plannable go-lives
    need over the future horizon (at least the peak of the largest single go-live), raise by 10 % until
    the greedy scheduler finds a plan for everyone mandatory."""
    from .greedy import schedule

    profile = {p["id"]: p for p in waves["load_profiles"]}
    sector = {"health_trust": "specialist", "hospital": "specialist", "municipality": "primary", "gp_office": "primary"}
    work = {"specialist": 0.0, "primary": 0.0}
    peak = {"specialist": 0.0, "primary": 0.0}
    for o in organisations:
        if o["status"] == "live":
            continue
        p = profile[o.get("load_profile", o["kind"])]
        work[sector[o["kind"]]] += sum(p["before"]) + sum(p["hypercare"])
        peak[sector[o["kind"]]] = max(peak[sector[o["kind"]]], max(p["hypercare"] + p["before"]))
    # the largest trust with its hospitals in its go-live month
    for o in organisations:
        if o["kind"] == "health_trust":
            hs = [h for h in organisations if h.get("part_of") == o["id"]]
            p = profile[o.get("load_profile", "health_trust")]
            peak["specialist"] = max(peak["specialist"], p["hypercare"][0] + len(hs) * profile["hospital"]["hypercare"][0])
    months = spec.years * 12
    fte = {s: max(spec.capacity_factor * work[s] / months, 1.1 * peak[s]) for s in work}
    scale = 1.0
    for _ in range(40):
        waves["pools"] = [
            {"id": s, "name": f"{s.capitalize()} care", "sector": s, "fte": _round_up(fte[s] * scale, 1),
             "changes": [{"from": f"{PLANNING_DATE.year + 2}-01", "fte": _round_up(fte[s] * scale * 1.1, 1),
                          "note": "a larger team from the third year", "source": source}],
             "source": source}
            for s in ("specialist", "primary")
        ]
        if not schedule(_problem({"organisations": organisations}, waves)).stuck:
            return
        scale *= 1.1
    raise RuntimeError(f"size {spec.name}: no feasible capacity found")  # pragma: no cover


# ---- writing -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # the strict reader refuses anchors and aliases
        return True


def _list(dumper: yaml.SafeDumper, data: list):
    flow = all(isinstance(v, (int, float, str)) for v in data) and len(data) <= 12 and all(
        not isinstance(v, str) or len(v) < 30 for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _str(dumper: yaml.SafeDumper, data: str):
    # ids such as 2024-02 and every other string that a reader might take for something else: quoted
    style = '"' if (data[:1].isdigit() or data.lower() in ("yes", "no", "on", "off", "y", "n", "true", "false")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(str, _str)


def dump(data: dict, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return header + body


def write_instance(out: Path | str, size: str, seed: int, *, limit_kinds: bool = True) -> tuple[Path, Path]:
    """Write organisations.yaml and waves.yaml for a size and seed into `out` (created if missing; a link
    to a folder is followed: this writes a data folder by design, so the refusal of an output through a link
    into a data folder (io.check_writable) is not for `out`, while a file link in it still is). Returns the
    two files as named under `out`. A write that fails (InputError, said of the files as named under `out`) or
    is interrupted leaves no folder it made behind."""
    given = Path(out)
    out = Path(os.path.realpath(given))
    made = [folder for folder in (out, *out.parents) if not folder.exists()]  # the deepest first
    out.mkdir(parents=True, exist_ok=True)
    org_path, waves_path = out / "organisations.yaml", out / "waves.yaml"
    try:
        for path in (org_path, waves_path):  # before the work, and before either file is touched
            check_writable(path)
        orgs, waves = generate(size, seed, limit_kinds=limit_kinds)
        header = (f"# Synthetic instance: `hpplan generate --size {size} --seed {seed}`. Not real data: every number "
                  "is\n# an estimate with the shape of the shipped Midt-Norge data (docs/benchmarks.md).\n")
        write_pair(org_path, dump(orgs, header), waves_path, dump(waves, header))
    except BaseException as error:
        for folder in made:  # empty: write_pair leaves nothing half written
            try:
                folder.rmdir()
            except OSError:
                break
        if isinstance(error, InputError) and error.where is not None and error.where.file.startswith(str(out)):
            named = str(given) + error.where.file[len(str(out)):]  # as the user named the folder
            raise InputError(error.message, Location(named, error.where.line)) from None
        raise
    return given / org_path.name, given / waves_path.name

