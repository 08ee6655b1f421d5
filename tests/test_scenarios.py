"""Scenarios: the parameters' schema lives in params/scenarios.yaml; every scenario is checked."""

from __future__ import annotations

import pytest

from kjqg_model.inputs.context import Context
from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.scenarios import PARAMETERS, SERIES, TITLES, load_parameters


def test_parameters_come_from_the_yaml():
    params = load_parameters()
    assert set(params) == set(PARAMETERS) == set(SERIES) == set(TITLES) == {"fiscal_st_growth", "gdp_growth"}
    assert SERIES["fiscal_st_growth"] == "fiscal_st_expenditure" and TITLES["gdp_growth"] == "名义GDP年增速"
    assert all(p.low < 0 < p.high for p in params.values())


def test_adjust_checks_like_the_loader():
    base = Context.get().scenario("baseline")
    assert base.adjust({"fiscal_st_growth": 0.07}).params["fiscal_st_growth"] == 0.07
    assert base.adjust({"gdp_growth": 0.04}, "mine").name == "mine"
    for bad in ({"fiscal_st_growth": 5.0}, {"fiscal_growth": 0.07}, {"gdp_growth": "4%"}):
        with pytest.raises(InputError):
            base.adjust(bad)
