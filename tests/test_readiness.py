"""analysis/readiness.py: whether a target can be modelled, on how many observations, and what to
supply when it cannot."""

from __future__ import annotations

from kjqg_model.analysis.readiness import THIN, State, observations, readiness, series_for
from kjqg_model.inputs.targets import Target
from kjqg_model.inputs.vocab import load_vocabulary
from tests.conftest import history_of

VOCAB = load_vocabulary()

GEO = "广西"


def _target(indicator: str, **kw) -> Target:
    base = dict(plan="p", id="t", name="n", geo=GEO, indicator=indicator, kind="level", comparator=">",
                threshold=1.0, unit="%", clause="c", year=2025)  # fmt: skip
    return Target(**(base | kw))


def test_states_by_number_of_observations_up_to_the_origin():
    rows = [(GEO, "gdp", y, 100.0 + y) for y in range(2015, 2021)]
    h = history_of(rows)
    full = readiness(_target("gdp"), h, VOCAB)
    assert full.state is State.MODELLED and full.n_obs == 6 and full.modelled
    thin = readiness(_target("gdp"), h, VOCAB, origin=2015 + THIN - 2)
    assert thin.state is State.THIN and thin.n_obs == THIN - 1 and thin.modelled
    assert "thin" in thin.message and f"{THIN - 1} obs" in thin.message
    none = readiness(_target("gdp"), h, VOCAB, origin=2010)
    assert none.state is State.NO_DATA and not none.modelled and none.n_obs == 0
    assert "kjqg template --plan p" in none.message  # says how to supply it


def test_a_ratio_counts_the_years_both_inputs_are_published():
    rows = [(GEO, "rd_expenditure", y, 10.0) for y in (2016, 2017, 2018, 2019)]
    rows += [(GEO, "gdp", y, 1000.0) for y in (2017, 2018, 2019, 2020)]
    need = observations(history_of(rows), GEO, "rd_intensity", None, VOCAB)
    assert (need.n_obs, need.years, need.via) == (3, "2017–2019", "rd_expenditure + gdp")
    assert readiness(_target("rd_intensity"), history_of(rows), VOCAB).state is State.MODELLED


def test_a_relative_target_needs_both_geos():
    t = _target("gdp", kind="relative", relative_to="全国")
    assert series_for(t, VOCAB) == [(GEO, "gdp"), ("全国", "gdp")]
    only_mine = history_of([(GEO, "gdp", y, 1.0 + y) for y in range(2015, 2021)])
    assert readiness(t, only_mine, VOCAB).state is State.NO_DATA  # the reference is missing


def test_a_target_judged_from_years_before_its_series_starts_asks_for_them():
    h = history_of([(GEO, "gdp", y, 100.0 + y) for y in range(2022, 2026)])
    each = _target("gdp", kind="increase", period=(2020, 2025), each_year=True, unit="亿元", threshold=40.0)
    ready = readiness(each, h, VOCAB)  # the 2020 and 2021 changes need figures no forecast can give
    assert ready.state is State.NO_DATA and "starts in 2022, but the target needs 2020–2021" in ready.message
    growth = _target("gdp", kind="growth_rate", period=(2021, 2025), threshold=5.0)
    assert "needs 2021;" in readiness(growth, h, VOCAB).message
    assert readiness(_target("gdp", kind="growth_rate", period=(2022, 2025)), h, VOCAB).state is State.MODELLED
