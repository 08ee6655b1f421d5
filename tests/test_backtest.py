"""Scoring functions against known values, calibration on a known process, and a small backtest."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from kjqg_model import forecast_series, project, run_backtest, scoring
from kjqg_model.analysis.backtest import (
    DEFAULT_METHODS,
    METHODS,
    NEW_METHODS,
    THIN_METHODS,
    BacktestResult,
    summarize,
    thin_view,
)
from kjqg_model.cli import main
from kjqg_model.engine.fit import exact_series
from kjqg_model.engine.trend import Shape, fixed_pool
from kjqg_model.inputs.context import Context
from kjqg_model.inputs.coverage import leaning, load_record
from kjqg_model.inputs.errors import InputError
from kjqg_model.reporting import calibration
from kjqg_model.reporting.calibration import README_END, README_START, calibration_markdown, update_readme
from tests.conftest import history_of


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0.0, 1.0, 0.0), (1.0, 2.0, -1.5), (0.2, 0.1, 0.5)])
def test_crps_of_samples_matches_the_normal_closed_form(mu, sigma, y):
    samples = np.random.default_rng(0).normal(mu, sigma, 200_000)
    assert scoring.crps_samples(samples, y) == pytest.approx(scoring.crps_normal(mu, sigma, y), rel=0.01)


def test_crps_known_values():
    assert scoring.crps_normal(0.0, 1.0, 0.0) == pytest.approx((np.sqrt(2) - 1) / np.sqrt(np.pi))
    assert scoring.crps_samples(np.array([3.0]), 1.0) == 2.0  # a point forecast: CRPS = absolute error
    assert scoring.crps_samples(np.array([0.0, 1.0]), 0.5) == pytest.approx(0.25)


def test_column_scores_match_brute_force_and_the_one_column_scores():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(50, 3)), rng.normal(size=3)
    brute = np.abs(x - y).mean(0) - 0.5 * np.abs(x[:, None, :] - x[None, :, :]).mean((0, 1))
    np.testing.assert_allclose(scoring.crps_samples(x, y), brute, atol=1e-12)
    lo, hi = scoring.central_interval(x, 0.8)
    for j in range(3):  # each column scored alone gives the same numbers
        assert scoring.crps_samples(x[:, j], y[j]) == pytest.approx(brute[j], abs=1e-12)
        assert scoring.pit(x[:, j], y[j]) == scoring.pit(x, y)[j]
        assert scoring.central_interval(x[:, j], 0.8) == (lo[j], hi[j])


def test_pit_interval_and_reliability_basics():
    s = np.arange(100.0)
    assert scoring.pit(s, 49.5) == 0.5 and scoring.central_interval(s, 0.8) == pytest.approx((9.9, 89.1))
    rel = scoring.reliability(np.array([0.05, 0.05, 0.95, 0.95]), np.array([0, 0, 1, 1]))
    assert list(rel.observed) == [0.0, 1.0] and list(rel.n) == [2, 2]
    assert scoring.brier(np.array([1.0, 0.0]), np.array([1, 1])) == 0.5


def test_forecast_series_is_calibrated_on_data_from_its_own_prior():
    """Series drawn from the prior the model assumes: its intervals must cover at nominal rates."""
    mu0, tau, s0, nu0 = 0.08, 0.04, 0.1, 8
    prior = fixed_pool(drift=mu0, drift_sd=tau, scale=s0, nu=nu0, shape=Shape(1e-6, 1e-8))
    rng = np.random.default_rng(42)
    hits = {0.5: [], 0.8: [], 0.95: []}
    n_series, length, horizon = 400, 10, 3
    for i in range(n_series):
        mu = rng.normal(mu0, tau)
        sigma = s0 * np.sqrt(nu0 / rng.chisquare(nu0))
        logs = np.cumsum(np.r_[np.log(100), rng.normal(mu, sigma, length + horizon - 1)])
        paths = forecast_series(np.exp(logs[:length]), np.arange(length), horizon, 2000, i, pool=prior)
        for level in hits:
            lo, hi = scoring.central_interval(np.log(paths[:, -1]), level)
            hits[level].append(lo <= logs[-1] <= hi)
    for level, h in hits.items():
        p, se, n = scoring.coverage_table(pd.Series(h))
        assert abs(p - level) < 3 * max(se, np.sqrt(level * (1 - level) / n)), (level, p)


def test_small_backtest_scores_every_method_on_the_same_cases():
    result = run_backtest(
        origins=(2018,), indicators=("rd_intensity",), geos=["广西", "广东", "北京", "贵州"], n_paths=300
    )
    c = result.cases
    assert set(c.method) == {"kjqg", "forecast_series", "random_walk", "random_walk_drift", "ets", "theta"}
    per_method = c.groupby("method").size()
    assert per_method.nunique() == 1 and per_method.iloc[0] == 4 * 5  # 4 provinces x horizons 1–5
    assert c.crps.ge(0).all() and c.pit.between(0, 1).all()
    s = summarize(c)
    assert {"cover80", "cover80_se", "crps", "n"} <= set(s.columns)
    assert set(result.events.growth) == {0.0, 0.05, 0.10, 0.15, 0.20}


@pytest.mark.parametrize(
    "n, cover80, below, above, expected",
    [
        (700, 0.80, 0.10, 0.10, ""),
        (700, 0.77, 0.07, 0.16, "low"),  # outcomes above the interval twice as often as below
        (700, 0.87, 0.13, 0.00, "high"),
        (700, 0.70, 0.15, 0.15, "narrow"),
        (700, 0.90, 0.05, 0.05, "wide"),
        (30, 0.87, 0.13, 0.00, ""),  # 30 cases cannot tell
    ],
)
def test_a_coverage_record_says_which_way_forecasts_lean(n, cover80, below, above, expected):
    assert leaning(n, cover80, below, above) == expected


def test_a_coverage_record_with_a_column_missing_is_a_clear_error(tmp_path):
    path = tmp_path / "calibration.csv"
    path.write_text("indicator,horizons,n\nrd_intensity,1–3,10\n", encoding="utf-8")
    with pytest.raises(InputError, match="cover80"):
        load_record(path)


def test_backtest_command_writes_its_files(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n{README_START}\nold\n{README_END}\nkept\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(
            [
                "backtest",
                "--origins",
                "2021",
                "--indicator",
                "hte_recognitions",
                "--paths",
                "200",
                "--out",
                str(tmp_path),
                "--thin",
                "--readme",
                str(readme),
                "--record",
                str(tmp_path / "calibration.csv"),
            ]
        )
    assert code == 0, err.getvalue()
    record = load_record(tmp_path / "calibration.csv")
    cases = pd.read_csv(tmp_path / "cases.csv")
    k = cases[cases.method == "kjqg"]
    assert record.n.sum() == len(k) and record.cover80 @ record.n == pytest.approx(k.cover80.sum(), abs=1e-4 * len(k))
    assert "--record" in record.command.iloc[0]
    assert (tmp_path / "coverage.csv").read_text(encoding="utf-8") == (tmp_path / "calibration.csv").read_text(
        encoding="utf-8"
    )
    block = readme.read_text(encoding="utf-8")
    assert block.startswith("# title\n") and block.endswith(README_END + "\nkept\n")
    assert "kjqg_thin3" in block and "| guangxi_2021_2023 | 广西 全社会R&D经费投入强度 > 1.3 % | 2023 | 2020 |" in block
    assert {"kjqg", *THIN_METHODS} <= set(pd.read_csv(tmp_path / "cases.csv").method)
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "cases.csv",
        "scores.csv",
        "events.csv",
        "event_scores.csv",
        "exante.csv",
        "coverage.png",
        "pit.png",
        "reliability.png",
    } <= names
    exante = pd.read_csv(tmp_path / "exante.csv")
    rd = exante[(exante.target_id == "rd_intensity_2023") & (exante.origin == 2020)].iloc[0]
    assert rd.probability < 0.05 and rd.actual == 0.84 and not rd.met


def test_history_truncated_is_a_cheap_view():
    h = history_of(
        [("A", "x", y, float(y)) for y in range(2010, 2016)] + [("B", "x", 2010, 1.0), ("B", "x", 2011, 2.0)],
        "abc",
        {"pool": 1},
    )
    view = h.truncated({("A", "x"): 2013, ("C", "x"): 2000})
    assert list(view.series("A", "x").index) == [2013, 2014, 2015]
    assert list(view.series("A", "x", upto=2014).value) == [2013.0, 2014.0]
    pd.testing.assert_frame_equal(view.series("B", "x"), h.series("B", "x"))
    assert view.series("C", "x").empty
    assert list(h.series("A", "x").index) == list(range(2010, 2016))  # the parent is untouched
    assert view.table is h.table and view.files == h.files and view.data_hash == "abc-truncated"
    assert view.__dict__["_chosen"] is h.__dict__["_chosen"]  # shared: no sort or groupby of the table
    assert view.fits == h.fits and view.fits is not h.fits
    view.fits["made under the view"] = 2
    assert "made under the view" not in h.fits
    twice = view.truncated({("B", "x"): 2011})  # a view of a view keeps the first view's cuts
    assert list(twice.series("A", "x").index) == [2013, 2014, 2015] and list(twice.series("B", "x").index) == [2011]


GEOS = ["广西", "广东", "北京", "贵州"]


def test_thin_view_keeps_the_last_k_points_of_the_scored_series_only():
    h = Context.get().history
    n_gdp = len(exact_series(h, "广西", "gdp", 2018))
    for k in (1, 2, 3):
        view = thin_view(h, "广西", "rd_intensity", 2018, k)
        for ind in ("rd_intensity", "rd_expenditure"):
            kept = exact_series(view, "广西", ind, 2018)
            assert len(kept) == k and kept.index.max() == 2018
            assert exact_series(view, "广西", ind, None).index.max() == exact_series(h, "广西", ind, None).index.max()
        assert len(exact_series(view, "广西", "gdp", 2018)) == n_gdp > 3  # drivers stay whole
        assert len(exact_series(view, "广西", "fiscal_st_expenditure", 2018)) > 3
        assert len(exact_series(view, "广东", "rd_intensity", 2018)) > 3  # other provinces too
    view = thin_view(h, "广西", "tech_contract_turnover_inflow", 2018, 2)
    assert len(exact_series(view, "广西", "tech_contract_turnover_inflow", 2018)) == 2
    assert len(exact_series(view, "广西", "rd_intensity", 2018)) > 3
    # the pooled fits made from the whole history are reused: nothing is refitted under the view
    project("广西", "rd_intensity", "baseline", 2018, 2019, 1, 0, h)
    view = thin_view(h, "广西", "rd_intensity", 2018, 1)
    fits = set(view.fits)
    project("广西", "rd_intensity", "baseline", 2018, 2023, 50, 0, view)
    assert set(view.fits) == fits


def test_thin_methods_score_the_same_cases_as_kjqg():
    result = run_backtest(
        origins=(2018,),
        indicators=("rd_intensity", "tech_contract_turnover_inflow"),
        geos=GEOS,
        methods=["kjqg", *THIN_METHODS],
        n_paths=200,
    )
    c = result.cases
    keys = {m: set(map(tuple, g[["geo", "indicator", "origin", "horizon"]].values)) for m, g in c.groupby("method")}
    assert set(keys) == {"kjqg", *THIN_METHODS} and len(keys["kjqg"]) == 2 * 4 * 5
    assert all(keys[m] == keys["kjqg"] for m in THIN_METHODS if m not in NEW_METHODS)
    # the new-indicator methods: the same cases, and those of every other figure of both families
    others = {k for k in keys["kjqg_new1"] if k[1] not in ("rd_intensity", "tech_contract_turnover_inflow")}
    assert all(keys[m] - others == keys["kjqg"] for m in NEW_METHODS)
    assert {k[1] for k in others} >= {"gdp", "tech_contract_turnover_outflow", "fiscal_st_expenditure"}
    assert not {k[1] for k in others} & {"gdp_as_first_published", "rd_intensity_revised"}  # one per figure
    crps = c.pivot_table(index=["geo", "indicator", "horizon"], columns="method", values="crps")
    assert (crps["kjqg_thin1"] != crps["kjqg"]).any()  # really forecast from fewer points
    assert set(THIN_METHODS).isdisjoint(DEFAULT_METHODS)


def _fake_cases() -> pd.DataFrame:
    rows = []
    for method, crps in (("kjqg", 0.1), ("random_walk_drift", 0.2), ("kjqg_thin1", 0.3)):
        for ind in ("rd_intensity", "hte_recognitions"):
            for h in range(1, 6):
                for j in range(4):  # 80 % intervals cover 3 of 4 cases, 95 % all
                    rows.append(
                        dict(
                            method=method,
                            geo=f"g{j}",
                            indicator=ind,
                            origin=2018,
                            horizon=h,
                            crps=crps,
                            cover80=j < 3,
                            cover95=True,
                        )
                    )
    return pd.DataFrame(rows)


def _fake_exante() -> pd.DataFrame:
    base = dict(
        plan="guangxi_2021_2023", geo="广西", year=2023, unit="家", comparator=">=", threshold=4200.0, kind="level"
    )
    hte = dict(base, target_id="hte_stock_2023", name="高新技术企业数量", actual=4000.0, actual_qualifier=">", met=None)
    return pd.DataFrame(
        [
            dict(hte, origin=2021, probability=0.8894),
            dict(hte, origin=2020, probability=0.00015),
            dict(
                base,
                kind="growth_rate",
                target_id="x_2023",
                name="x",
                unit="%",
                comparator=">",
                threshold=1.3,
                origin=2020,
                probability=0.5,
                actual=0.84,
                actual_qualifier="=",
                met=False,
            ),
        ]
    )


def test_calibration_markdown_from_a_tiny_cases_frame():
    md = calibration_markdown(BacktestResult(_fake_cases(), pd.DataFrame()), _fake_exante(), note="NOTE")
    assert md.startswith("NOTE\n\n") and md.endswith("|\n")
    assert "| 80 % interval covers | 75.0 % | 75.0 % | 75.0 % | 75.0 % | 75.0 % |" in md
    assert "| 95 % interval covers | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % |" in md
    assert "| cases (n) | 8 | 8 | 8 | 8 | 8 |" in md
    assert "| method | rd_intensity | hte_recognitions | all |" in md  # indicators in INDICATORS order
    assert "| kjqg | 0.100 | 0.100 | 0.100 |" in md and "| random_walk_drift | 0.200 | 0.200 | 0.200 |" in md
    assert "| cases (n) | 12 | 12 | 24 |" in md and "| cases (n) | 8 | 8 | 16 |" in md  # horizons 1–3, 4–5
    assert "| kjqg_thin1 | 75.0 % / 100.0 % |" in md
    assert (
        "| guangxi_2021_2023 | 广西 高新技术企业数量 >= 4,200 家 | 2023 | 2020 | < 0.1 % | > 4,000 家 | unknown |" in md
    )
    assert md.index("| 2023 | 2020 | < 0.1 %") < md.index("| 2023 | 2021 | 88.9 %")
    assert "| 广西 x > 1.3 % (growth_rate) | 2023 | 2020 | 50.0 % | 0.84 % | no |" in md
    without_thin = calibration_markdown(_fake_cases().query("method != 'kjqg_thin1'"), _fake_exante().iloc[:0])
    assert "Thin series" not in without_thin and "Ex post" not in without_thin


def test_the_new_indicator_test_has_its_figures_in_a_table_of_their_own():
    fake = _fake_cases()
    new = fake[fake.method == "kjqg"].assign(method="kjqg_new1")
    other = new[new.indicator == "rd_intensity"].assign(indicator="gdp", crps=0.4, cover80=False)  # new methods only
    md = calibration_markdown(pd.concat([fake, new, other]), None)
    assert "| method | rd_intensity | hte_recognitions | all |" in md  # no gdp column in the methods' tables
    assert "| kjqg_new1 | 0.100 | 0.100 | 0.100 |" in md
    assert "| kjqg_new1 | 50.0 % / 100.0 % |" in md  # pooled over every figure: 30 of 60 cases covered
    assert "| gdp | 0.0 % · 0.400 | 20 |" in md and "| rd_intensity | 75.0 % · 0.100 | 20 |" in md


def test_update_readme_rewrites_only_the_block(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(f"head\n\n{README_START}\nold table\n{README_END}\n\ntail\n", encoding="utf-8")
    update_readme(path, "new\n")
    update_readme(path, "newer\n")  # idempotent layout
    assert path.read_text(encoding="utf-8") == f"head\n\n{README_START}\n\nnewer\n\n{README_END}\n\ntail\n"
    path.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(InputError, match="calibration:start"):
        update_readme(path, "new")
    assert path.read_text(encoding="utf-8") == "no markers\n"
    assert not [p for p in tmp_path.iterdir() if p.name != "README.md"]  # no temp file left


def test_backtest_command_methods_thin_flag_and_missing_markers(tmp_path, monkeypatch):
    seen = []

    def fake_write_report(ctx, spec, out, readme, command, progress=True, record=None):
        seen.append(spec.methods)
        return pd.DataFrame(columns=["horizons", "indicator", "method", "n", "crps", "cover50", "cover80", "cover95"])

    monkeypatch.setattr(calibration, "write_report", fake_write_report)
    with redirect_stdout(io.StringIO()):
        assert main(["backtest", "--method", "kjqg_thin2", "--out", str(tmp_path)]) == 0
        assert main(["backtest", "--thin", "--out", str(tmp_path)]) == 0
        assert main(["backtest", "--method", "kjqg", "--thin", "--out", str(tmp_path)]) == 0
    assert seen == [("kjqg_thin2",), (*DEFAULT_METHODS, *THIN_METHODS), ("kjqg", *THIN_METHODS)]
    monkeypatch.undo()
    (tmp_path / "README.md").write_text("no markers\n", encoding="utf-8")
    err = io.StringIO()
    with redirect_stderr(err):  # refused before the long run
        assert main(["backtest", "--readme", str(tmp_path / "README.md"), "--out", str(tmp_path / "o")]) == 2
    assert "calibration:start" in err.getvalue() and not (tmp_path / "o").exists()


def test_an_error_in_a_worker_process_reaches_the_caller_intact(monkeypatch):
    def failing(ctx, case, n, seed):
        if case.origin == 2021:
            raise InputError.single("history", "a bad row", "a good row", file="x.csv")

    monkeypatch.setitem(METHODS, "failing", failing)  # the workers are forked: they see it
    with pytest.raises(InputError) as err:
        run_backtest(origins=(2020, 2021), indicators=("rd_intensity",), methods=["failing"], jobs=2)
    assert str(err.value) == "x.csv, field 'history': found a bad row; expected a good row"


def test_a_new_series_weighs_every_figure_and_the_unseen_one_alike_before_its_data_speak():
    from kjqg_model.engine.fit import family_parts, new_series_fit

    h, vocab = Context.get().history, Context.get().vocab
    fit = new_series_fit(
        h, vocab, "tech_contract_turnover_inflow", 2018, pd.Series([0.0], [2018]), ("tech_contract_turnover_inflow",)
    )
    labels = [label for _, label in family_parts(h, vocab, "money", 2018, ("tech_contract_turnover_inflow",))]
    k = len(set(labels))
    expected = [1 / labels.count(label) / (k + 1) for label in labels] + [1 / (k + 1)]
    assert labels.count("gdp") == 2 and fit.weight == pytest.approx(expected)  # GDP's two versions share one share


def test_the_new_indicator_test_sees_nothing_of_the_held_out_figures_versions():
    from kjqg_model.analysis.backtest import backtest_cases
    from kjqg_model.inputs.history import History

    ctx = Context.get()
    table = ctx.history.table.copy()
    version = table.indicator == "gdp_as_first_published"
    # 3 % up and down in turn: still a version of GDP (3 % apart), but far less smooth a series
    table.loc[version, "value"] *= 1 + 0.03 * (-1.0) ** table.loc[version, "year"]
    moved = replace(ctx, history=History(table, "moved", ctx.history.files, ctx.history.vocab))
    before, after = (
        METHODS["kjqg_new2"](c, backtest_cases(c.history, ["广西"], ("gdp",), (2018,))[0], 500, 0) for c in (ctx, moved)
    )
    assert np.array_equal(before, after)  # had the version leaked into any pool, its change would show
