"""Sourced history: load, validate, convert units, and pick one value per year for a series.

Files are tidy long CSVs, one row per published figure: geo, indicator, year, value, unit, source
(+ optional qualifier, note, vintage). Values stay as published in the file; the loader converts
them to the indicator's canonical unit and keeps the published value and unit beside it.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import units
from .errors import InputError, Problem, shorten
from .files import ragged_rows, read_table, read_yaml
from .locations import params_dir
from .plausibility import ACCEPT, implausible
from .targets import load_plans, plan_vocabulary
from .vocab import DECLARED, EXACT, QUALIFIERS, Vocabulary, load_vocabulary

REQUIRED = ("geo", "indicator", "year", "value", "unit", "source")
OPTIONAL = ("qualifier", "note", "vintage", "accept")  # accept: why an implausible-looking figure is genuine
FIRST_YEAR = 1949
_EMPTY = pd.DataFrame(columns=["value", "qualifier", "unit", "source", "dataset"], index=pd.Index([], name="year"))
COLUMNS = [
    "geo",
    "indicator",
    "year",
    "value",
    "unit",
    "qualifier",
    "vintage",
    "source",
    "note",
    "value_published",
    "unit_published",
    "dataset",
    "file",
    "line",
    "priority",
    "accept",
]


def _upto(s, upto: int | None):
    """`s` (indexed by ascending year) without the years after `upto`."""
    return s if upto is None else s.iloc[: s.index.searchsorted(upto, side="right")]


@dataclass(frozen=True, eq=False)
class History:
    """All loaded observations (`table`, one row per figure) and a fingerprint of the input files.
    `fits` keeps the pooled fits made from this history (they live and die with it)."""

    table: pd.DataFrame
    data_hash: str
    files: tuple[str, ...]
    vocab: Vocabulary  # what its rows were checked against (shipped, declared and plan-implied series)
    fits: dict = field(default_factory=dict, repr=False)
    _frames: dict = field(default_factory=dict, repr=False, init=False)  # series(): each series' rows, once asked
    _exact: dict = field(default_factory=dict, repr=False, init=False)  # exact(): each series' exact values

    def series(self, geo: str, indicator: str, upto: int | None = None) -> pd.DataFrame:
        """One observation per year (highest-priority file wins), indexed by year, columns
        value, qualifier, unit, source, dataset. Years after `upto` are dropped."""
        key = (geo, indicator)
        if key not in self._frames:
            rows, spans = self._chosen
            start, stop = spans.get(key, (0, 0))
            self._frames[key] = rows.iloc[start:stop] if stop > start else _EMPTY
        return _upto(self._frames[key], upto)

    def exact(self, geo: str, indicator: str, upto: int | None = None) -> pd.Series:
        """The exactly published values of one series (qualifier '=' or '~', not bounds), by year,
        as floats; years after `upto` dropped."""
        key = (geo, indicator)
        if key not in self._exact:
            s = self.series(geo, indicator)
            self._exact[key] = s.loc[s.qualifier.isin(EXACT), "value"].astype(float)
        return _upto(self._exact[key], upto)

    @cached_property
    def _chosen(self) -> tuple[pd.DataFrame, dict[tuple[str, str], tuple[int, int]]]:
        """The observation chosen for each series and year, sorted by series and year and indexed
        by year, and each series' span of rows in it: a series' frame is cut out only when it is
        first asked for (a run asks for few of the 654 shipped series; building all at the first
        lookup took 0.5 s of every process)."""
        keys = ["geo", "indicator"]
        chosen = self.table.sort_values([*keys, "year", "priority"], kind="stable")
        chosen = chosen.drop_duplicates([*keys, "year"])
        spans = {key: (int(pos[0]), int(pos[-1]) + 1) for key, pos in chosen.groupby(keys, sort=False).indices.items()}
        return chosen.set_index("year")[["value", "qualifier", "unit", "source", "dataset"]], spans

    def truncated(self, keep: dict[tuple[str, str], int]) -> History:
        """A view in which each listed (geo, indicator) series keeps only the years >= the given
        first year; every other series is this history's own.

        For backtests ("what if this series were only k points long"): `series()` and everything
        built on it (exact_series, the projections) see the shortened series, but `table` is shared
        and still holds all rows, so `coverage()`, `conflicts()` and anything reading `table`
        directly see the full data. `fits` is a shallow copy: the pooled fits already made from this
        history are reused as they are, and nothing fitted under the view leaks back. Listed series
        that do not exist come back empty. A view of a view keeps the first view's cuts. Building
        the view costs no groupby."""
        view = History(self.table, self.data_hash + "-truncated", self.files, self.vocab, dict(self.fits))
        view.__dict__["_chosen"] = self._chosen  # the cached_property's slot (the dataclass is frozen)
        view._frames.update(self._frames)  # this history's own cuts, if it is a view itself
        for key, first in keep.items():
            s = self.series(*key)
            view._frames[key] = s[s.index >= first]
        return view

    def coverage(self) -> pd.DataFrame:
        """Which series exist: geo, indicator, number of years, first and last year, the years, datasets."""
        chosen = self.table.sort_values(["geo", "indicator", "year", "priority"]).drop_duplicates(
            ["geo", "indicator", "year"]
        )
        grouped = chosen.groupby(["geo", "indicator"], sort=True)
        out = grouped.agg(n_years=("year", "size"), first=("year", "min"), last=("year", "max"), unit=("unit", "first"))
        out["years"] = grouped["year"].agg(_year_ranges)
        out["lower_bounds"] = grouped["qualifier"].agg(lambda q: int((q == ">").sum()))
        out["datasets"] = grouped["dataset"].agg(lambda d: ",".join(sorted(set(d))))
        return out.reset_index()

    def conflicts(self) -> pd.DataFrame:
        """(geo, indicator, year) given different values by different files; `used`: the one the
        model takes (the highest-priority file's)."""
        t = self.table
        spread = t.groupby(["geo", "indicator", "year"])["value"].transform(lambda v: v.max() - v.min())
        rows = t[spread > 1e-9 * t["value"].abs().clip(lower=1)].sort_values(["geo", "indicator", "year", "priority"])
        rows = rows.assign(used=~rows.duplicated(["geo", "indicator", "year"]))
        return rows[["geo", "indicator", "year", "value", "unit", "qualifier", "used", "dataset", "source"]]


def _year_ranges(years: pd.Series) -> str:
    ys = sorted(int(y) for y in years)
    runs, start = [], ys[0]
    for prev, cur in zip(ys, [*ys[1:], None], strict=True):
        if cur != prev + 1 if cur is not None else True:
            runs.append(str(start) if start == prev else f"{start}–{prev}")
            start = cur
    return ", ".join(runs)


OTHER_TABLES = {  # tables a history folder may hold that are not read: an error, not a silent skip
    ".xls": "an .xls file (Excel 97–2003)",
    ".xlsm": "an .xlsm file (Excel with macros)",
    ".xlsb": "an .xlsb file (Excel binary)",
    ".ods": "an .ods file (OpenDocument)",
    ".tsv": "a .tsv file (tab-separated)",
}


def history_files(directory: Path) -> list[Path]:
    """The .csv and .xlsx files of a history folder in priority order (datasets.yaml first, then by name)."""
    directory = Path(directory)
    if not directory.is_dir():
        found = "a file, not a folder" if directory.is_file() else "no such folder"
        expected = f"the folder holding it ({directory.parent})" if directory.is_file() else "a folder"
        raise InputError([Problem(str(directory), "", "", found, f"{expected} of history tables (.csv or .xlsx)")])
    listed: list[Path] = []
    manifest = directory / "datasets.yaml"
    if manifest.is_file():
        entries = read_yaml(manifest) or []
        for i, entry in enumerate(entries if isinstance(entries, list) else [None]):
            name = entry.get("file") if isinstance(entry, dict) else None
            if not name or not (directory / name).is_file():
                raise InputError(
                    [
                        Problem(
                            str(manifest),
                            f"entry {i + 1}",
                            "file",
                            shorten(name),
                            "the name of a CSV file in this folder",
                        )
                    ]
                )
            listed.append(directory / name)
    # any case of the extension (DATA.CSV, S.XLSX from Windows); ~$ files are Excel's locks of an open workbook
    suffix = {p: p.suffix.lower() for p in directory.iterdir() if p.is_file() and not p.name.startswith("~$")}
    other = sorted(p.name for p, ext in suffix.items() if ext in OTHER_TABLES)
    if other:  # silently skipped, their figures would be missing from every answer
        raise InputError(
            [
                Problem(
                    str(directory / n), "", "", OTHER_TABLES[Path(n).suffix.lower()], "the same saved as .xlsx or .csv"
                )
                for n in other
            ]
        )
    rest = sorted(p for p, ext in suffix.items() if ext in (".csv", ".xlsx") and p not in listed)
    files = listed + rest
    if not files:
        raise InputError([Problem(str(directory), "", "", "no .csv or .xlsx files", "at least one history table")])
    return files


def load_history(
    extra_dirs: list[Path] | tuple[Path, ...] = (),
    shipped_dir: Path | None = None,
    vocabulary: Vocabulary | None = None,
    plans_dirs: list[Path] | tuple[Path, ...] = (),
) -> History:
    """Load the shipped history plus analysts' folders (`extra_dirs`, which take precedence).
    Rows may name shipped indicators, those declared in an `indicators.yaml` of those folders, and
    the analyst series the plans need (shipped plans and `plans_dirs`).

    Every problem of every file is collected and raised together as one InputError."""
    plans = {}
    if vocabulary is None:
        declared = load_vocabulary(history_dirs=extra_dirs)
        plans = load_plans(vocabulary=declared, extra_dirs=plans_dirs)
        vocabulary = plan_vocabulary(declared, plans)
    vocab = vocabulary
    shipped = Path(shipped_dir) if shipped_dir else params_dir() / "history"
    shipped_files = history_files(shipped)
    files = [p for d in extra_dirs for p in history_files(d)] + shipped_files
    frames, problems, digest = [], [], hashlib.sha256()
    for priority, path in enumerate(files):
        try:
            frames.append(_load_file(path, priority, vocab, priority < len(files) - len(shipped_files)))
        except InputError as exc:
            problems.extend(exc.problems)
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for declared in (Path(d) / DECLARED for d in extra_dirs):  # analysts' own indicators change results too
        if declared.is_file():
            digest.update(declared.name.encode() + b"\0" + declared.read_bytes())
    problems += _across_files(frames, files, len(files) - len(shipped_files))
    if problems:
        raise InputError(problems)
    table = pd.concat([f for f in frames if len(f)] or frames, ignore_index=True)  # a header-only file adds nothing
    table["value"] = table["value"].astype(float)
    # a slip is named by the path its file was given as, as every other problem is (not the name alone)
    targets = [t for plan in plans.values() for t in plan.targets]
    problems = implausible(table.assign(file=table.priority.map(dict(enumerate(map(str, files))))), vocab, targets)
    if problems:
        raise InputError(problems)
    return History(table, digest.hexdigest()[:16], tuple(str(p) for p in files), vocab)


def _across_files(frames: list[pd.DataFrame], files: list[Path], n_analyst: int) -> list[Problem]:
    """Two of the analyst's files (the first `n_analyst` of `files`) giving different figures for
    one geo, indicator and year (neither row naming a vintage): which one wins would hang on the
    files' order, so it is an error."""
    if n_analyst < 2:
        return []
    rows = pd.concat([f for f in frames if len(f)] or frames, ignore_index=True)
    rows = rows[(rows.priority < n_analyst) & (rows.vintage == rows.dataset)]  # a named vintage keeps both
    problems = []
    for (geo, ind, year), g in rows.groupby(["geo", "indicator", "year"], sort=False):
        first, *others = g.sort_values("priority", kind="stable").to_dict("records")
        for other in others:
            same = math.isclose(other["value"], first["value"], rel_tol=1e-9)
            if other["priority"] != first["priority"] and not same:
                problems.append(
                    Problem(
                        str(files[other["priority"]]),
                        f"{_row_word(files[other['priority']])} {other['line']}",
                        "value",
                        f"{_as_read(other)} for {geo} {ind} {year}, "
                        f"but {files[first['priority']]} gives {_as_read(first)}",
                        "one figure per geo, indicator and year across the folder's files (or a 'vintage' column)",
                    )
                )
    return problems


def _load_file(path: Path, priority: int, vocab: Vocabulary, analyst: bool) -> pd.DataFrame:
    f, header, rows = read_table(path)
    row_word = _row_word(path)
    problems = _header_problems(f, header, row_word)
    problems += [] if problems else ragged_rows(f, header, rows, row_word)
    if problems:
        raise InputError(problems)
    max_year = datetime.date.today().year
    records, seen = [], {}
    for line, cells in rows:
        raw = {k: v.strip() for k, v in zip(header, cells, strict=True)}
        if not raw["value"]:  # a row of `kjqg template` not filled in: no figure, nothing to load
            continue
        rec, row_problems = _parse_row(raw, f, f"{row_word} {line}", vocab, max_year, analyst)
        if row_problems:
            problems.extend(row_problems)
            continue
        rec.update(
            dataset=path.stem,
            file=path.name,
            line=line,
            priority=priority,
            vintage=raw.get("vintage") or path.stem,
            vintage_typed=bool(raw.get("vintage")),
            accept=raw.get("accept", ""),
        )
        key = (rec["geo"], rec["indicator"], rec["year"], rec["vintage"])
        if key in seen:
            first = seen[key]
            if first["qualifier"] == rec["qualifier"] and math.isclose(first["value"], rec["value"], rel_tol=1e-9):
                first["source"] += " | " + rec["source"]  # the same figure from another source
                continue
            problems.append(
                Problem(
                    f,
                    f"{row_word} {line}",
                    "value",
                    f"{_as_read(rec)} for {key[0]} {key[1]} {key[2]}, but {row_word} {first['line']} gives "
                    f"{_as_read(first)}",
                    "one value per geo, indicator, year and vintage (add a 'vintage' column to keep both)",
                )
            )
            continue
        seen[key] = rec
        records.append(rec)
    records, order_problems = _latest_vintage_first(records, f, row_word)
    problems += order_problems
    if problems:
        raise InputError(problems)
    if not records and analyst:  # an unfilled template would otherwise change nothing without a word
        blank = f"{len(rows)} {row_word}s, every value blank" if rows else "a header and no rows"
        raise InputError.single("value", blank, "at least one figure filled in (or the file out of the folder)", f)
    return pd.DataFrame.from_records(records, columns=COLUMNS)


_VINTAGE_YEAR = re.compile(r"(?:19|20)\d{2}")


def _latest_vintage_first(records: list[dict], f: str, row_word: str) -> tuple[list[dict], list[Problem]]:
    """Rows of one file giving a figure in several vintages, the latest first (the model uses the
    first row of the highest-priority file): latest by the year the vintage names (2022年鉴 after
    2021年鉴). Vintages that name no year, or the same one, cannot be ordered: an error, since the
    row order would otherwise decide."""
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        groups.setdefault((rec["geo"], rec["indicator"], rec["year"]), []).append(rec)
    problems, ordered = [], []
    for key, recs in groups.items():
        if len(recs) > 1:
            # a blank vintage cell stands for the file's name, which says nothing of when
            years = [max(map(int, _VINTAGE_YEAR.findall(r["vintage"])), default=None) if r["vintage_typed"] else None
                     for r in recs]  # fmt: skip
            if None in years or len(set(years)) < len(years):
                lines = ", ".join(f"{row_word} {r['line']} ({r['vintage'] if r['vintage_typed'] else 'no vintage'})"
                                  for r in recs)  # fmt: skip
                problems.append(Problem(
                    f, f"{row_word} {recs[-1]['line']}", "vintage",
                    f"{len(recs)} vintages of {key[0]} {key[1]} {key[2]} that cannot be ordered: {lines}",
                    "a vintage naming its year (2021年鉴, 2022年鉴): the latest is used",
                ))  # fmt: skip
            recs = [r for _, r in sorted(zip(years, recs, strict=True), key=lambda p: -(p[0] or 0))]
        ordered += recs
    return ordered, problems


def _row_word(path: Path) -> str:
    return "row" if path.suffix.lower() == ".xlsx" else "line"  # Excel numbers rows


def _as_read(rec: dict) -> str:
    """A row's figure as written, with its qualifier and unit: '> 30.2 亿元'."""
    bound = "" if rec["qualifier"] == "=" else f"{rec['qualifier']} "
    return f"{bound}{rec['value_published']} {rec['unit_published']}"


def _header_problems(f: str, header: list[str], row_word: str) -> list[Problem]:
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in REQUIRED + OPTIONAL]
    unnamed = [i + 1 for i, c in enumerate(header) if not c]
    doubled = sorted({c for c in header if c and header.count(c) > 1})
    problems = []
    if doubled:  # read as a dict, the later column would silently replace the earlier
        found = "column " + ", ".join(f"'{c}' {header.count(c)} times" for c in doubled)
        problems.append(Problem(f, f"{row_word} 1", "header", found, "each column once (delete or rename the copy)"))
    if unnamed:  # a merged cell or a stray column
        found = f"column {', '.join(map(str, unnamed))} without a name (a merged or blank header cell?)"
        expected = "a name in every header cell: " + ", ".join(REQUIRED + OPTIONAL)
        problems.append(Problem(f, f"{row_word} 1", "header", found, expected))
    if missing:
        expected = f"columns {', '.join(REQUIRED)} (+ optional {', '.join(OPTIONAL)})"
        problems.append(Problem(f, f"{row_word} 1", "header", f"no column {', '.join(missing)}", expected))
    if unknown:
        found, expected = f"unknown column {', '.join(map(repr, unknown))}", f"only {', '.join(REQUIRED + OPTIONAL)}"
        problems.append(Problem(f, f"{row_word} 1", "header", found, expected))
    return problems


_WHOLE_YEAR = re.compile(r"(\d{4})(?:\.0*)?")
BOUND_WORDS = re.compile(r"(?:突破|超过|逾|>|＞)\s*(?P<number>\d+(?:\.\d+)?)\s*(?:多|余|以上)?")


# counts that come in whole units (not 人年, full-time equivalents, nor 万家 and the like)
WHOLE_COUNTS = frozenset(u for u, (dim, f) in units.UNITS.items() if dim == "count" and f == 1.0) - {"人年"}


def _parse_row(
    raw: dict, f: str, where: str, vocab: Vocabulary, max_year: int, analyst: bool = False
) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []

    def bad(field: str, found: str, expected: str) -> None:
        problems.append(Problem(f, where, field, found, expected))

    geo, name = vocab.canonical(raw["geo"]), raw["indicator"]
    if geo is None:
        bad("geo", shorten(raw["geo"]), "a place in params/geos.yaml (e.g. 广西 or 广西壮族自治区, 柳州 or 柳州市)")
    indicator = vocab.indicators.get(name)
    if indicator is None:
        near = difflib.get_close_matches(name.lower(), list(vocab.indicators), n=1, cutoff=0.8)
        hint = f"; did you mean {near[0]}?" if near else " (e.g. rd_intensity)"
        bad("indicator", shorten(name), "an indicator listed in params/indicators.yaml or a plan's series" + hint)
    elif analyst and indicator.bases:  # its figures are read by basis: these rows would be read by none
        each = " or ".join(f"{ind} ({basis})" for basis, ind in indicator.bases.items())
        bad("indicator", name, f"the indicator of the figure's basis: {each}")
    if whole := _WHOLE_YEAR.fullmatch(raw["year"]):  # 2021.0 as a CSV exported from a float column has it
        year = int(whole[1])
        if not FIRST_YEAR <= year <= max_year:
            bad("year", raw["year"], f"a data year from {FIRST_YEAR} to {max_year}")
        elif year == max_year and not raw.get("accept"):  # a year not over has no annual figure yet
            expected = f"a year that has ended ({year}'s annual figures are published from {year + 1}); {ACCEPT}"
            bad("year", raw["year"], expected + " (e.g. 预计数)")
    else:
        year = None
        bad("year", shorten(raw["year"]), "a whole year such as 2021")
    try:
        value = float(raw["value"])
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        value = None
        expected = "a number as published (no thousands separators)"
        if bound := BOUND_WORDS.fullmatch(raw["value"]):  # 突破4000: the number, and the bound in `qualifier`
            expected += f"; a figure published as {raw['value']} is {bound['number']} with qualifier '>'"
        bad("value", shorten(raw["value"]), expected)
    unit, remark = units.split_unit(raw["unit"])
    if units.dimension(unit) is None:
        bad("unit", shorten(raw["unit"]), "a known unit: " + ", ".join(units.UNITS))
    elif indicator is not None and units.dimension(unit) != indicator.dimension:
        bad("unit", shorten(raw["unit"]), f"a unit convertible to {indicator.unit} for {name}")
    qualifier = raw.get("qualifier") or "="
    if qualifier not in QUALIFIERS:
        bad("qualifier", shorten(qualifier), " | ".join(f"'{q}' {m}" for q, m in QUALIFIERS.items()))
    if not raw["source"]:
        bad("source", "an empty cell", "the URL or reference the figure was read in")
    if value is not None and indicator is not None and not indicator.signed and value <= 0:
        bad(
            "value",
            raw["value"],
            f"a positive number for {name} (its growth is modelled on logs: a genuine 0 cannot be, even with "
            "accept; leave that year out)",
        )
    elif value is not None and unit == "%" and indicator is not None and indicator.kind == "share" and value >= 100:
        bad("value", raw["value"], f"a share under 100 % for {name} (modelled on the logit scale)")
    elif value is not None and analyst and unit in WHOLE_COUNTS and value != round(value):
        bad("value", raw["value"], f"a whole number of {unit} (a count; 万{unit} figures need the unit 万{unit})")
    if not problems and not math.isfinite(value * units.factor(unit, indicator.unit)):
        overflow = f"a figure of plausible size (this one overflows in {indicator.unit})"
        bad("value", f"{raw['value']} {raw['unit']}", overflow)
    if problems:
        return {}, problems
    note = raw.get("note", "")
    if remark:
        note = f"[unit as published: {raw['unit']}] {note}".strip()
    return dict(
        geo=geo,
        indicator=name,
        year=year,
        value=value * units.factor(unit, indicator.unit),
        unit=indicator.unit,
        qualifier=qualifier,
        source=raw["source"],
        note=note,
        value_published=raw["value"],
        unit_published=raw["unit"],
    ), []
