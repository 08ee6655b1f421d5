"""The `kjqg` command line."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

import pandas as pd

from . import __version__
from .analysis.readiness import (
    THIN,
    analyst_files,
    needed_series,
    observations,
    overridden_rows,
    readiness,
    series_for,
    unread_rows,
)
from .engine.streams import MAX_PATHS
from .inputs.context import Context
from .inputs.errors import InputError
from .inputs.targets import targets_frame
from .inputs.vocab import load_vocabulary
from .reporting.outputs import write_csv
from .reporting.tables import MISSING, Column, cell_text, render, width, write_xlsx

BASIS_MARK = {"inflow": "（按吸纳地域）", "outflow": "（按输出地域）"}
TARGETS_TABLE = [
    Column("plan", "plan", 17),
    Column("target_id", "target_id", 26),
    Column("name", "名称", 19),
    Column("geo", "地区", 6),
    Column("target", "目标", 19),
    Column("year", "年份", 4, right=True),
    Column("status", "status", 22),
]
PROBABILITIES_TABLE = [
    Column("name", "目标名称", 19),
    Column("geo", "地区", 6),
    Column("year", "年份", 4, right=True),
    Column("target", "目标", 19),
    Column("scenario", "情景", 9),
    Column("p", "概率", 6, right=True),
    Column("se", "MC se", 5, right=True),
    Column("n_obs", "n", 3, right=True),
    Column("actual", "实际", 9, right=True),
    Column("met", "达成", 4),
    Column("status", "status", 21),
]
TARGET_COLUMNS = ["plan", "target_id", "geo", "indicator", "kind", "year", "comparator", "threshold", "unit", "status"]


def _emit(frame: pd.DataFrame, args, columns: list[Column] | None = None) -> None:
    """csv to stdout, xlsx to --out, or a table that fits 120 columns (`columns`: which, how wide).
    A table's --out (where --out is the table's file) is written in the format its name ends in."""
    out = getattr(args, "out", None) if getattr(args, "out_is_table", False) else None
    if out is not None:  # never printed and quietly not written
        fmt = {".csv": "csv", ".xlsx": "xlsx"}.get(out.suffix.lower())
        if fmt is None or args.format not in ("table", fmt):
            raise InputError.single("--out", str(out), f"FILE.xlsx or FILE.csv, matching --format {args.format}")
        for flag, folders in (("--history", getattr(args, "history", [])), ("--plans", getattr(args, "plans", []))):
            if any(out.resolve().is_relative_to(Path(d).resolve()) for d in folders or []):
                # it would replace the analyst's data, or be read as data by the next run
                raise InputError.single("--out", f"{out}, inside the {flag} folder", "a file outside the input folders")
        (write_csv if fmt == "csv" else write_xlsx)(frame, out)
        print(f"# {len(frame)} rows written to {out}")
    elif args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "xlsx":
        raise InputError.single("--out", str(getattr(args, "out", None) or "nothing"), "FILE.xlsx with --format xlsx")
    else:
        columns = columns or [
            Column(c, c, min(max([width(c), *(width(cell_text(v)) for v in frame[c])]), 44)) for c in frame.columns
        ]
        print(render(frame, columns))


def _short_status(status: pd.Series) -> pd.Series:
    """The status as it fits a table cell: the full text is in --format csv/xlsx."""
    return (
        status.str.replace(r"^no history up to (\d+) for ", r"no data ≤\1: ", regex=True)
        .str.replace(r"^no history for ", "no data: ", regex=True)
        .str.replace(r"; supply it: kjqg template --plan \S+", " → kjqg template", regex=True)
        .str.replace(r"; dynamics borrowed from the provincial pool", "", regex=True)
        .str.replace(r"^outcome known: .*", "outcome in the data", regex=True)
    )


KIND_WORDS = {"increase": " increase", "growth_rate": " a year", "cumulative": " in all", "relative": " × average"}


def _target_text(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    """'>= 4,200 家', '>= 260 家 increase', '>= 10 % a year', '>= 10 场 each year' — comparator,
    threshold, unit and what is measured in one cell, so a growth or an increase does not read as a level."""
    unit = frame.unit.fillna("").where(frame.unit != "ratio", "")
    yearly = {(p, t.id) for p in set(frame.plan) for t in ctx.plan(p).targets if t.each_year}
    each = [" each year" if key in yearly else "" for key in zip(frame.plan, frame.target_id, strict=True)]
    kind = frame.kind.map(KIND_WORDS).fillna("")
    return (frame.comparator + " " + frame.threshold.map(cell_text) + " " + unit + kind + each).str.replace("  ", " ")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format", choices=("table", "csv", "xlsx"), default="table", help="table (default), csv, or xlsx (with --out)"
    )
    if not any(a.dest == "out" for a in p._actions):
        p.add_argument("--out", type=Path, help="FILE.xlsx or FILE.csv: write the table there")
        p.set_defaults(out_is_table=True)
    _history_arg(p)


FOLDERS = {
    "--history": "a folder of history tables (.csv or .xlsx, the columns of params/history; an indicators.yaml there "
    "declares the analyst's own indicators) that adds to or overrides the shipped series; repeatable",
    "--plans": "a folder of the analyst's own plan YAMLs (the schema of params/targets) added to the shipped plans; "
    "repeatable",
}


def _folder_arg(p: argparse.ArgumentParser, flag: str) -> None:
    p.add_argument(flag, action="append", type=Path, default=[], metavar="DIR", help=FOLDERS[flag])


def _history_arg(p: argparse.ArgumentParser) -> None:
    _folder_arg(p, "--history")


def _plans_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plan", action="append", help="plan id (repeatable); default: all plans")
    _folder_arg(p, "--plans")


def _context(args):
    return Context.get(history_dirs=args.history, plans_dirs=getattr(args, "plans", None) or ())


def _plans(args, ctx) -> dict:
    plans = ctx.plans
    if getattr(args, "plan", None):
        unknown = [p for p in args.plan if p not in plans]
        if unknown:
            raise InputError.single("--plan", ", ".join(unknown), "one of " + ", ".join(plans))
        plans = {k: v for k, v in plans.items() if k in args.plan}
    return plans


def cmd_targets(args) -> None:
    ctx = _context(args)
    plans = _plans(args, ctx)
    frame = targets_frame(plans)
    frame["status"] = [
        readiness(t, ctx.history, ctx.vocab, args.origin).message for p in plans.values() for t in p.targets
    ]
    if args.format != "table":
        _emit(frame[[*TARGET_COLUMNS, "name", "basis", "period", "threshold_high", "relative_to", "clause"]], args)
        return
    frame = frame.assign(
        target=_target_text(frame, ctx), year=frame.year.astype(str), status=_short_status(frame.status)
    )
    _emit(frame, args, TARGETS_TABLE)


def cmd_data(args) -> None:
    ctx = _context(args)
    history = ctx.history
    if args.view == "series":
        cover = history.coverage()
        if args.format == "table":  # years as years (2019), not counts (2,019)
            cover = cover.assign(first=cover["first"].astype(str), last=cover["last"].astype(str))
        _emit(cover, args)
    elif args.view == "conflicts":
        conflicts = history.conflicts()
        if args.format == "table":
            conflicts = conflicts.assign(year=conflicts.year.astype(str))
        _emit(conflicts, args)
    else:
        rows = []
        for plan in _plans(args, ctx).values():
            for t in plan.targets:
                needs = [observations(history, g, n, args.origin, ctx.vocab) for g, n in series_for(t, ctx.vocab)]
                rows.append(
                    dict(
                        plan=t.plan,
                        target_id=t.id,
                        geo=t.geo,
                        indicator=t.indicator,
                        series="; ".join(
                            f"{n.geo} {n.indicator}{' via ' + n.via if n.via else ''}: {n.n_obs} obs {n.years}".strip()
                            for n in needs
                        ),
                        status=readiness(t, history, ctx.vocab, args.origin).message,
                    )
                )
        _emit(pd.DataFrame(rows), args)
    if args.format == "table":
        print(f"\n# data hash {history.data_hash}; files: {', '.join(Path(f).name for f in history.files)}")


def cmd_probabilities(args) -> None:
    from .analysis.evaluate import evaluate_plans
    from .engine.projection import Settings

    ctx = _context(args)
    plans = list(_plans(args, ctx))
    frames = [
        evaluate_plans(ctx, plans, Settings(s, args.origin, args.paths, args.seed))
        for s in args.scenario or ["baseline"]
    ]
    frame = pd.concat(frames, ignore_index=True)
    if not args.all:
        frame = frame[frame.probability.notna() | frame.actual.notna()]
    if args.format == "table" and frame.empty:
        when = f" up to {args.origin} (--origin)" if args.origin is not None else " yet"
        print(
            f"# no target of {', '.join(plans)} has a probability or a published outcome: their series have no "
            f"data{when}. Write what they need with: kjqg template {ctx.plan(plans[0]).option} --out need.xlsx, "
            "fill it in, and pass its folder with --history (--all lists the targets and why)"
        )
        _unread_note(ctx, plans)
        return
    if args.format != "table" or args.out is not None:
        _emit(frame, args)  # every column of results.ResultRow, raw: for reading back
        _unread_note(ctx, plans, sys.stderr)  # stdout may hold the data
        return
    frame = frame.assign(
        target=_target_text(frame, ctx),
        name=frame.name + frame.basis.map(BASIS_MARK).fillna(""),
        p=frame.probability.map(lambda p: MISSING if pd.isna(p) else f"{p:.1%}"),
        se=frame.mc_se.map(lambda p: MISSING if pd.isna(p) else f"{p:.1%}"),
        n_obs=frame.n_obs.where(frame.probability.notna()),
        year=frame.year.astype(str),
        status=_short_status(frame.status),
        actual=[  # "> 4,000": only a lower bound is published ("突破4000"), not 4,000
            MISSING if pd.isna(a) else f"{'> ' if q == '>' else ''}{a:,.4g}"
            for a, q in zip(frame.actual, frame.actual_qualifier, strict=True)
        ],
    )
    _emit(frame, args, PROBABILITIES_TABLE)
    origin = (
        f"data up to {args.origin} only (later data fills 'actual')"
        if args.origin is not None
        else "all data, each series from its latest year (--origin YEAR: data up to YEAR only)"
    )
    print(
        f"\n# forecast from {origin}; {args.paths} paths, seed {args.seed}, data hash {ctx.history.data_hash}. "
        "n: observations the probability "
        "rests on (1-2: thin, dynamics borrowed from the pool). Rows without a probability or an outcome are hidden "
        "(--all shows them); --format csv, or xlsx with --out FILE.xlsx, gives every column."
    )
    _unread_note(ctx, plans)


def _unread_note(ctx: Context, plans: list[str], stream=None) -> None:
    """Name the analysts' series no target of `plans` reads (a 柳州 series in a 桂林 folder)."""
    targets = [t for p in plans for t in ctx.plan(p).targets]
    unread = unread_rows(ctx.history, targets, ctx.vocab, analyst_files(ctx.history))
    if len(unread):
        listed = "; ".join(f"{r.geo} {r.indicator} ({r.rows} rows, {r.file})" for r in unread.head(6).itertuples())
        print(
            f"# read by no target of {', '.join(plans)}: {listed}{' …' if len(unread) > 6 else ''}",
            file=stream or sys.stdout,
        )
    replaced = overridden_rows(ctx.history, needed_series(targets, ctx.vocab))
    if len(replaced):
        listed = "; ".join(
            f"{r.geo} {r.indicator} {r.year}: {r.value_shipped:,.6g} → {r.value:,.6g} {r.unit} ({r.file})"
            for r in replaced.head(4).itertuples()
        )
        print(
            f"# your files replace {len(replaced)} published figure(s): {listed}{' …' if len(replaced) > 4 else ''} "
            "(kjqg data --view conflicts with the same --history lists them all)",
            file=stream or sys.stdout,
        )


def cmd_template(args) -> None:
    from .reporting.template import write_template

    ctx = _context(args)
    rows, series, origin = write_template(ctx, args.plan, args.out, args.origin, args.force)
    if not rows:
        print(f"# every target of {args.plan} has at least {THIN} observations up to {origin}: nothing to fill in")
        return
    print(
        f"# {rows} rows ({series} series) for the targets of {args.plan} without a probability or with 1-{THIN - 1} "
        f"observations, up to {origin}, written to {args.out}\n"
        f"# fill the value column (and source), put the file in a folder, then:\n"
        f"#   kjqg probabilities {ctx.plan(args.plan).option} --origin {origin} --history FOLDER"
    )


def cmd_draft_plan(args) -> None:
    from .inputs.drafting import write_draft

    geo = load_vocabulary().geo(args.geo)
    n = write_draft(args.text, args.plan, geo, args.out, args.force)
    print(
        f"# {n} targets drafted from {args.text} into {args.out}: every one is marked for review (note). Check "
        f"year, comparator, threshold, unit and indicator against the text, then: kjqg targets --plans "
        f"{args.out.parent} --plan {args.plan}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kjqg", description="kjqg_model: probabilities of meeting Guangxi's science-and-technology plan targets."
    )
    parser.add_argument("--version", action="version", version=f"kjqg_model {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_targets(sub)
    _add_data(sub)
    _add_probabilities(sub)
    _add_briefs(sub)
    _add_template(sub)
    _add_draft_plan(sub)
    _add_backtest(sub)
    return parser


def _add_targets(sub) -> None:
    p = sub.add_parser(
        "targets",
        help="every target of the plans, with whether it can be modelled",
        description="List every quantitative target of the plans (params/targets/*.yaml) "
        "with its status: modelled, or why not.",
    )
    _plans_arg(p)
    p.add_argument("--origin", type=_origin, help="judge data sufficiency using data up to this year only")
    _common(p)
    p.set_defaults(func=cmd_targets)


def _add_data(sub) -> None:
    p = sub.add_parser(
        "data",
        help="which series exist, for which geo and years, with sources",
        description="Show the loaded history: series coverage (default), per-target data "
        "sufficiency (--view targets), or disagreements between files "
        "(--view conflicts).",
    )
    p.add_argument("--view", choices=("series", "targets", "conflicts"), default="series")
    _plans_arg(p)  # with --view targets
    p.add_argument("--origin", type=_origin, help="with --view targets: count data up to this year only")
    _common(p)
    p.set_defaults(func=cmd_data)


def _add_probabilities(sub) -> None:
    p = sub.add_parser(
        "probabilities",
        help="probability of meeting each target, beside the actual outcome",
        description="Simulate the futures of every modelled indicator and report, per target, the "
        "probability of meeting it, its Monte Carlo standard error, the progress ratio "
        "and, where published, the actual outcome.",
    )
    _plans_arg(p)
    p.add_argument(
        "--scenario", action="append", help="scenario name from params/scenarios.yaml (repeatable); default: baseline"
    )
    p.add_argument(
        "--origin", type=_origin, help="last data year used (later data only fills 'actual'); default: all data"
    )
    p.add_argument("--paths", type=_paths, default=20_000, help="Monte Carlo paths (default 20000)")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--all", action="store_true", help="in the table, also list targets with no probability")
    _common(p)
    p.set_defaults(func=cmd_probabilities)


def _add_briefs(sub) -> None:
    p = sub.add_parser(
        "briefs",
        help="render the PDF briefs in batch (papermill, parallel)",
        description="Run notebooks/brief.ipynb for every run of params/runs.yaml (or the plans "
        "given) and write, per run, outputs/<run>/ with the executed notebook, HTML and "
        "PDF without code, probabilities.csv and manifest.json. A failing run is "
        "reported and leaves its previous outputs untouched; the exit code is then 1.",
    )
    p.add_argument("--plan", action="append", help="only the runs of this plan (repeatable)")
    _folder_arg(p, "--plans")
    p.add_argument("--scenario", action="append", help="scenarios to show instead of each run's list (repeatable)")
    p.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    p.add_argument("--paths", type=_paths, help="Monte Carlo paths (default: params/runs.yaml)")
    p.add_argument("--seed", type=_seed, help="random seed (default: params/runs.yaml)")
    p.add_argument("--jobs", type=_positive, default=2, help="parallel workers (default 2)")
    p.add_argument("--runs", type=Path, help="another run list than params/runs.yaml")
    _history_arg(p)
    p.set_defaults(func=cmd_briefs)


def _add_template(sub) -> None:
    p = sub.add_parser(
        "template",
        help="an Excel (or CSV) sheet of the data a plan's unanswered targets need, to fill in",
        description="Write, for one plan, the history rows (geo, indicator, year, value, unit, qualifier, "
        "source, note) of every series and year that its targets without a probability need, with value "
        "left blank; further sheets explain each series in Chinese. Fill it in and pass its folder with "
        "--history.",
    )
    p.add_argument("--plan", required=True, help="plan id")
    _folder_arg(p, "--plans")
    p.add_argument(
        "--origin", type=_origin, help="the last data year the forecast will use (default: the plan's base year)"
    )
    p.add_argument("--out", type=Path, required=True, help="FILE.xlsx or FILE.csv (not an existing file)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (its figures are lost)")
    _history_arg(p)
    p.set_defaults(func=cmd_template)


def _add_draft_plan(sub) -> None:
    p = sub.add_parser(
        "draft-plan",
        help="draft a plan's target YAML from the plan document's text, for review",
        description="Read a plan document (UTF-8 text) and write a target file in the schema of params/targets: "
        "one target per numeric goal (year, comparator, kind, threshold and unit as written, the clause), the "
        "indicator only where the name clearly matches the vocabulary. Every target is marked for review.",
    )
    p.add_argument("text", type=Path, metavar="TEXT_FILE", help="the plan document as UTF-8 text")
    p.add_argument("--plan", required=True, help="plan id for the draft (ascii snake_case, e.g. nanning_2024_2026)")
    p.add_argument("--geo", required=True, help="the plan's place (Chinese short name or English alias)")
    p.add_argument("--out", type=Path, required=True, help="FILE.yaml (name it <plan>.yaml to use it with --plans)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (its review edits are lost)")
    p.set_defaults(func=cmd_draft_plan)


def _add_backtest(sub) -> None:
    p = sub.add_parser(
        "backtest",
        help="rolling-origin calibration of the forecasts against later data",
        description="Refit at every origin on data up to it, forecast 1–5 years ahead for every "
        "province, and score coverage, CRPS, PIT and threshold-event Brier scores "
        "against benchmarks; also the 2023 plan targets seen from 2020 and 2021.",
    )
    p.add_argument("--origins", default="2014-2022", help="origin years, e.g. 2014-2022 (default)")
    p.add_argument("--indicator", action="append", help="indicator to score (repeatable); default: the five")
    p.add_argument(
        "--method",
        action="append",
        help="method to score (repeatable): kjqg, forecast_series, random_walk, random_walk_drift, theta, "
        "ets, kjqg_thin1/2/3, kjqg_new1/2/3; default: all but the thin and new ones",
    )
    p.add_argument(
        "--thin",
        action="store_true",
        help="also score kjqg_thin1/2/3 (kjqg from only the last 1, 2 or 3 points of each province's own "
        "series) and kjqg_new1/2/3 (the same as if the indicator were new to the library)",
    )
    p.add_argument(
        "--readme",
        type=Path,
        help="rewrite the block between <!-- calibration:start --> and <!-- calibration:end --> in this "
        "markdown file (e.g. README.md) with the tables of this run",
    )
    p.add_argument(
        "--record",
        type=Path,
        help="also write kjqg's coverage by indicator and horizon here (params/calibration.csv: the "
        "briefs say from it which probabilities are surer or less sure than they look)",
    )
    p.add_argument("--paths", type=_paths, default=1000, help="paths per forecast (default 1000)")
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--out", type=Path, default=Path("outputs/backtest"), help="output folder")
    _common(p)
    p.set_defaults(func=cmd_backtest)


def cmd_briefs(args) -> int:
    from dataclasses import replace

    from .reporting.batch import Run, load_runs, run_batch

    runs, defaults = load_runs(args.runs, args.history, args.plans)
    ctx = Context.get(history_dirs=defaults["history_dirs"], plans_dirs=defaults["plans_dirs"])
    if args.plan:
        _plans(args, ctx)  # unknown plan ids: a clear error
        listed = {r.plan for r in runs}
        runs = [r for r in runs if r.plan in args.plan] + [
            Run(p, p, ("baseline",)) for p in args.plan if p not in listed
        ]
    if args.scenario:
        for s in args.scenario:
            ctx.scenario(s)
        runs = [replace(r, scenarios=tuple(args.scenario)) for r in runs]
    outcomes = run_batch(
        runs,
        args.out,
        args.paths or defaults["paths"],
        defaults["seed"] if args.seed is None else args.seed,
        args.jobs,
        defaults["history_dirs"],
        plans_dirs=defaults["plans_dirs"],
    )
    for o in outcomes:
        state = "ok" if o.ok else f"FAILED: {o.error}"
        print(f"{o.run.name:<22} {state}  {' '.join(f'{k}={v}' for k, v in o.timings.items())}")
    failed = [o for o in outcomes if not o.ok]
    print(f"# {len(outcomes) - len(failed)} of {len(outcomes)} briefs written under {args.out}")
    return 1 if failed else 0


def cmd_backtest(args) -> None:
    from .analysis.backtest import DEFAULT_METHODS, INDICATORS, METHODS, THIN_METHODS, BacktestSpec, year_range
    from .reporting.calibration import write_report

    ctx = _context(args)
    origins = year_range(args.origins)
    unknown = [i for i in args.indicator or [] if i not in ctx.vocab.indicators]
    if unknown:
        raise InputError.single("--indicator", ", ".join(unknown), "indicators in params/indicators.yaml")
    wrong = [m for m in args.method or [] if m not in METHODS]
    if wrong:
        raise InputError.single("--method", ", ".join(wrong), "one of " + ", ".join(METHODS))
    methods = tuple(dict.fromkeys([*(args.method or DEFAULT_METHODS), *(THIN_METHODS if args.thin else ())]))
    command = " ".join(
        [
            "kjqg backtest",
            *(["--origins", args.origins] if args.origins != "2014-2022" else []),
            *(f"--indicator {i}" for i in args.indicator or []),
            *(f"--method {m}" for m in args.method or []),
            *(["--thin"] if args.thin else []),
            *([f"--paths {args.paths}"] if args.paths != 1000 else []),
            *([f"--seed {args.seed}"] if args.seed else []),
            *(f"--history {h}" for h in args.history or []),
            *([f"--readme {args.readme}"] if args.readme else []),
            *([f"--record {args.record}"] if args.record else []),
        ]
    )
    spec = BacktestSpec(origins, tuple(args.indicator or INDICATORS), None, methods, args.paths, args.seed)
    scores = write_report(ctx, spec, args.out, args.readme, command, record=args.record)
    head = scores[scores.horizons == "1–3"][["indicator", "method", "n", "crps", "cover50", "cover80", "cover95"]]
    _emit(head.round(3), args)
    if args.format == "table":
        print(
            f"\n# written to {args.out}: cases.csv events.csv scores.csv event_scores.csv exante.csv "
            "coverage.csv coverage.png pit.png reliability.png"
        )
        if args.record:
            print(f"# coverage record written to {args.record}")
        if args.readme:
            print(f"# calibration block of {args.readme} rewritten")


def _whole(text: str, lo: int, hi: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected {expected}")
    return value


def _positive(text: str) -> int:
    return _whole(text, 1, 10**9, "a positive whole number")


def _paths(text: str) -> int:
    return _whole(
        text, 1, MAX_PATHS, f"a whole number of paths from 1 to {MAX_PATHS:,} (paths x years x 8 bytes in memory)"
    )


def _seed(text: str) -> int:
    return _whole(text, 0, 2**63 - 1, "a whole number from 0 (random seeds are non-negative)")


def _origin(text: str) -> int:
    last = datetime.date.today().year
    return _whole(text, 1990, last, f"a data year from 1990 to {last} (the last year of data the forecast may use)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except InputError as exc:
        print(f"kjqg: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a folder read-only, vanished or full: say which, leave earlier outputs as they are
        where = exc.filename or "an output or input file"
        print(f"kjqg: error: {where}: {exc.strerror or exc}; expected a readable input and a writable output folder",
              file=sys.stderr)  # fmt: skip
        return 2
    except MemoryError:
        print("kjqg: error: out of memory; expected fewer --paths (paths x years x 8 bytes must fit)", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not the analyst's input: one line to report, the trace on request
        if os.environ.get("KJQG_DEBUG"):
            raise
        print(
            f"kjqg: internal error: {type(exc).__name__}: {exc} (a bug in kjqg_model {__version__}; "
            "please report this line with the command; KJQG_DEBUG=1 shows the Python trace)",
            file=sys.stderr,
        )
        return 3
    return code or 0
