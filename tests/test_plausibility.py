"""Plausibility: a typing slip in any real series is caught and named; a genuine figure passes when
its row says why."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kjqg_model.inputs.context import Context
from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history

from .conftest import write_csv

SHIPPED = Context.get().history
PROVINCE_SERIES = sorted(
    {
        (g, i)
        for g, i in SHIPPED.table[["geo", "indicator"]].itertuples(index=False)
        if i in ("rd_intensity", "rd_expenditure", "fiscal_st_expenditure", "gdp", "hte_recognitions")
        and g not in ("全国",)
    }
)
SLIPS = {10_000: "万元 written under 亿元", 100: "×100", 10: "misplaced decimal point"}


def test_the_shipped_history_is_plausible():
    assert len(load_history().table) == len(SHIPPED.table)


@settings(max_examples=15, deadline=None)
@given(
    which=st.integers(0, len(PROVINCE_SERIES) - 1),
    pick=st.integers(0, 100),
    factor=st.sampled_from(list(SLIPS)),
    down=st.booleans(),
)
def test_a_planted_slip_is_caught_and_named(tmp_path_factory, which, pick, factor, down):
    geo, indicator = PROVINCE_SERIES[which]
    s = SHIPPED.series(geo, indicator)
    s = s[s.qualifier == "="]
    inner = [y for y in s.index if y - 1 in s.index and y + 1 in s.index]
    if not inner:
        return
    year = inner[pick % len(inner)]
    if indicator == "rd_intensity" and down and factor == 10_000:
        return  # below any published precision: the range check catches it instead
    if indicator == "hte_recognitions" and factor == 10:
        return  # recognitions genuinely move ×3.8 in a year (黑龙江): a ×10 slip can hide in a real fall
    value = float(s.loc[year, "value"]) * (1 / factor if down else factor)
    folder = tmp_path_factory.mktemp("h")
    write_csv(folder, f"{geo},{indicator},{year},{value:.10g},{s.loc[year, 'unit']},=,https://example.org,\n")
    with pytest.raises(InputError) as err:
        load_history([folder])
    assert "extra.csv, line 2, field 'value'" in str(err.value)


def test_the_likely_slip_is_named_with_the_corrected_value(tmp_path):
    write_csv(tmp_path, "广西,fiscal_st_expenditure,2019,662600,亿元,=,https://example.org,\n")
    with pytest.raises(InputError, match=r"looks like 万元 written under 亿元: 662600 ≈ 66.26 × 10000"):
        load_history([tmp_path])


def test_a_genuine_outlier_passes_with_its_reason(tmp_path):
    header = "geo,indicator,year,value,unit,qualifier,source,note,accept\n"
    write_csv(
        tmp_path, "广西,rd_expenditure,2019,1700,亿元,=,https://example.org,,a merger was counted\n", header=header
    )
    h = load_history([tmp_path])
    assert h.series("广西", "rd_expenditure").loc[2019, "value"] == 1700
    assert (h.table.accept == "a merger was counted").sum() == 1


def test_rd_intensity_outside_its_possible_range_is_an_error(tmp_path):
    write_csv(tmp_path, "百色,rd_intensity,2022,12,%,=,https://example.org,\n")
    with pytest.raises(InputError, match=r"between 0.05 and 10 %"):
        load_history([tmp_path])


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("0.0084", r"looks like a percent written as a fraction, or a value ×100: 0.84 % if × 100"),
        ("84", r"looks like a percent written as a fraction, or a value ×100: 0.84 % if ÷ 100"),
    ],
)
def test_an_intensity_out_of_range_names_the_slip_that_brings_it_back(tmp_path, value, hint):
    write_csv(tmp_path, f"百色,rd_intensity,2022,{value},%,=,https://example.org,\n")
    with pytest.raises(InputError, match=hint):
        load_history([tmp_path])


def test_a_whole_city_series_in_the_wrong_unit_is_caught_by_its_province():
    # no jump gives it away (every year is ×10,000), but a city cannot outgrow its province
    gx = SHIPPED.exact("广西", "tech_contract_turnover_inflow")
    years = [y for y in (2018, 2019, 2020) if y in gx.index]
    assert years
    body = "".join(
        f"百色,tech_contract_turnover_inflow,{y},{gx[y] / 10 * 1e4:.6g},亿元,=,https://example.org,\n" for y in years
    )
    folder = Path(write_csv(tmp := Path(tempfile.mkdtemp()), body).parent)
    with pytest.raises(InputError) as err:
        load_history([folder])
    text = str(err.value)
    assert f"more than 广西's {gx[years[0]]:.4g} 亿元" in text and "looks like 万元 written under 亿元" in text
    assert text.count("field 'value'") == len(years)
    accepted = "geo,indicator,year,value,unit,qualifier,source,note,accept\n" + body.replace(",\n", ",,genuine\n")
    (tmp / "extra.csv").write_text(accepted, encoding="utf-8")
    assert len(load_history([folder]).table) == len(SHIPPED.table) + len(years)  # a stated reason lets it pass


def test_only_the_slip_is_blamed_not_the_ends_beside_it(tmp_path):
    rows = [(2018, "12.5"), (2019, "150000"), (2020, "18.3")]
    body = "".join(f"百色,tech_contract_turnover_inflow,{y},{v},亿元,=,https://example.org,\n" for y, v in rows)
    write_csv(tmp_path, body)
    with pytest.raises(InputError) as err:
        load_history([tmp_path])
    text = str(err.value)
    assert f"{tmp_path / 'extra.csv'}, line 3, field 'value'" in text  # the path, as the other checks give it
    assert "line 2," not in text and "line 4," not in text
    assert "150000 ≈ 15 × 10000" in text and "e+0" not in text


def test_a_slip_in_a_series_no_other_place_publishes_is_caught(tmp_path):
    rows = [(2021, 400), (2022, 4300), (2023, 431)]  # 桂林's stock: no other city's to compare moves with
    write_csv(tmp_path, "".join(f"桂林,hte_stock,{y},{v},家,=,https://example.org,\n" for y, v in rows))
    with pytest.raises(InputError, match=r"line 3, field 'value': found 4300 家.*no other place publishes it"):
        load_history([tmp_path])
    doubled = [(2021, 400), (2022, 900), (2023, 1300)]  # fast but real growth passes
    write_csv(tmp_path, "".join(f"桂林,hte_stock,{y},{v},家,=,https://example.org,\n" for y, v in doubled))
    assert load_history([tmp_path]).series("桂林", "hte_stock").loc[2022, "value"] == 900


def _guilin_share(values) -> str:
    return "".join(
        f"桂林,guilin_2026_2030.strategic_emerging_industry_va_share,{2018 + k},{v},%,=,https://example.org,\n"
        for k, v in enumerate(values)
    )


def test_a_share_typed_as_a_fraction_is_caught_by_the_plans_target(tmp_path):
    # 0.25 … 0.34 %: no range, no jump, no whole to outgrow; but the plan aims at 40 % (×118)
    write_csv(tmp_path, _guilin_share([0.25, 0.27, 0.29, 0.31, 0.34]))
    with pytest.raises(InputError, match=r"line 6, field 'value'.*target > 40 %.*a percent written as a fraction"):
        load_history([tmp_path])
    write_csv(tmp_path, _guilin_share([25, 27, 29, 31, 34]))
    assert len(load_history([tmp_path]).series("桂林", "guilin_2026_2030.strategic_emerging_industry_va_share")) == 5


@pytest.mark.parametrize(
    "values, line", [([150, 165, 180, 1950], 5), ([1500, 150, 165, 180], 2), ([30, 31, 32.5, 0.34], 5)]
)
def test_a_slip_at_either_end_of_a_series_no_other_place_publishes_is_caught(tmp_path, values, line):
    rows = "".join(f"桂林,hte_stock,{2020 + k},{v},家,=,https://example.org,\n" for k, v in enumerate(values))
    write_csv(tmp_path, rows)
    with pytest.raises(InputError, match=rf"line {line}, field 'value'"):
        load_history([tmp_path])


def test_rd_typed_in_wan_yuan_is_caught_by_the_intensity_it_makes(tmp_path):
    gdp = SHIPPED.exact("柳州", "gdp")
    years = [y for y in gdp.index if y >= 2018][:3]
    assert years
    body = "".join(f"柳州,rd_expenditure,{y},{40 + y - 2018},万元,=,https://example.org,\n" for y in years)
    write_csv(tmp_path, body)
    with pytest.raises(
        InputError, match=r"makes R&D经费投入强度 0.000\d+ %.*looks like 亿元 figures written under 万元"
    ):
        load_history([tmp_path])


def test_a_slip_beside_a_missing_year_is_caught(tmp_path):
    # 桂林's stock: 431 in 2023 (shipped), nothing for 2024, then 4700 typed for 470
    write_csv(tmp_path, "桂林,hte_stock,2025,4700,家,=,https://example.org,\n")
    with pytest.raises(InputError, match=r"line 2, field 'value': found 4700 家 .* beside 2023: 431"):
        load_history([tmp_path])
    write_csv(tmp_path, "桂林,hte_stock,2025,560,家,=,https://example.org,\n")  # real growth over two years passes
    assert load_history([tmp_path]).exact("桂林", "hte_stock").loc[2025] == 560


def test_a_share_typed_as_a_fraction_near_its_target_is_caught_but_a_small_count_is_not(tmp_path):
    share = "guilin_2026_2030.high_tech_manufacturing_va_share"  # target > 32 %: 0.64 is 50x below
    write_csv(
        tmp_path, "".join(f"桂林,{share},{2021 + k},{v},%,=,https://example.org,\n" for k, v in enumerate([0.62, 0.64]))
    )
    with pytest.raises(InputError, match=r"line 3, field 'value'.*a percent written as a fraction"):
        load_history([tmp_path])
    talents = "guilin_2026_2030.joint_appointed_high_level_talents"  # a new programme: 1 人 against 50
    write_csv(tmp_path, "".join(f"桂林,{talents},{2022 + k},1,人,=,https://example.org,\n" for k in range(3)))
    assert len(load_history([tmp_path]).exact("桂林", talents)) == 3


def test_a_flow_in_the_wrong_unit_is_caught_by_the_cumulative_target_on_it(tmp_path):
    # 百色's plan: turnover > 160 亿元 over 2021-2023, about 53 亿元 a year; 45 万元 is 12,000-fold below
    rows = "".join(f"百色,tech_contract_turnover_inflow,{y},{v},万元,=,x,\n" for y, v in ((2019, 38), (2020, 45)))
    write_csv(tmp_path, rows)
    with pytest.raises(InputError, match=r"line 3.*target > 160 亿元 over 3 years.*threshold of target"):
        load_history([tmp_path])
    write_csv(tmp_path, rows.replace("万元", "亿元"))
    assert len(load_history([tmp_path]).exact("百色", "tech_contract_turnover_inflow")) == 2


def test_a_stock_typed_into_its_flow_series_is_caught_by_the_stock_it_makes(tmp_path):
    # 百色's 高企: stock 33, 41, 50 typed again under recognitions; the stock would be 124, not 50
    rows = "".join(
        f"百色,{name},{2018 + k},{v},家,=,x,\n"
        for name in ("hte_stock", "hte_recognitions")
        for k, v in enumerate((33, 41, 50))
    )
    write_csv(tmp_path, rows)
    with pytest.raises(InputError, match=r"line 4, field 'value'.*0.40 × the sum of hte_recognitions 2018–2020"):
        load_history([tmp_path])
    write_csv(
        tmp_path,
        "".join(f"百色,hte_recognitions,{2018 + k},{v},家,=,x,\n" for k, v in enumerate((12, 16, 20)))
        + "百色,hte_stock,2020,50,家,=,x,\n",
    )  # 12 + 16 + 20 = 48 against 50: consistent
    assert load_history([tmp_path]).exact("百色", "hte_stock").loc[2020] == 50


def test_a_ratio_typed_tenfold_off_is_caught_by_the_ratio_of_its_inputs(tmp_path):
    # 柳州: R&D ÷ GDP (shipped) makes 1.84 % in 2022; a typed 0.22 % for 2020 is ×8 below it
    rows = "".join(f"柳州,rd_intensity,{y},{v},%,=,x,\n" for y, v in ((2018, 0.2), (2019, 0.21), (2020, 0.22)))
    write_csv(tmp_path, rows)
    with pytest.raises(InputError, match=r"line 4.*makes 1.836 % in 2022 — looks like a misplaced decimal point"):
        load_history([tmp_path])
    write_csv(tmp_path, rows.replace(",0.2", ",2.0").replace(",0.21", ",2.1").replace(",0.22", ",2.2"))
    assert len(load_history([tmp_path]).exact("柳州", "rd_intensity")) >= 3
