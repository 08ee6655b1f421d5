"""The shipped history loads, keeps every source, converts units and respects lower bounds."""

from __future__ import annotations

import csv

import pytest

from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history
from kjqg_model.inputs.locations import params_dir

from .conftest import write_csv


@pytest.fixture(scope="module")
def history():
    return load_history()


def _shipped_rows():
    for path in sorted((params_dir() / "history").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            yield from ((path.stem, r) for r in csv.DictReader(fh))


def test_every_shipped_row_is_loaded_with_its_source(history):
    rows = list(_shipped_rows())
    assert all(r["source"].strip() for _, r in rows)
    # identical figures from two sources are merged into one row that keeps both sources
    keys = {(d, r["geo"], r["indicator"], r["year"]) for d, r in rows}
    assert len(history.table) == len(keys)
    merged = history.table[
        (history.table.geo == "广西") & (history.table.indicator == "hte_stock") & (history.table.year == 2017)
    ]
    assert len(merged) == 1 and merged.source.iloc[0].count(" | ") == 1
    kept = {s for merged_sources in history.table.source for s in merged_sources.split(" | ")}
    assert {r["source"] for _, r in rows} <= kept  # no source lost


def test_units_are_converted_in_code_and_published_values_kept(history):
    s = history.series("广西", "tech_contract_turnover_inflow")
    assert s.loc[2021, "value"] == pytest.approx(12539980.05 / 1e4)  # 万元 -> 亿元
    assert s.loc[2021, "unit"] == "亿元"
    row = history.table[
        (history.table.geo == "广西")
        & (history.table.indicator == "tech_contract_turnover_inflow")
        & (history.table.year == 2021)
    ].iloc[0]
    assert row.value_published == "12539980.05" and row.unit_published == "万元"


def test_lower_bounds_stay_lower_bounds(history):
    s = history.series("广西", "hte_stock")
    assert s.loc[2023, "qualifier"] == ">" and s.loc[2023, "value"] == 4000
    assert s.loc[2021, "qualifier"] == "="


def test_first_release_is_preferred_and_the_disagreement_is_listed(history):
    # NBS bulletin (first release, province_panel) 0.81 vs a provincial report of 0.79 for 2021
    assert history.series("广西", "rd_intensity").loc[2021, "value"] == 0.81
    c = history.conflicts()
    both = c[(c.geo == "广西") & (c.indicator == "rd_intensity") & (c.year == 2021)]
    assert sorted(both.value) == [0.79, 0.81]
    assert both.set_index("value").used.to_dict() == {0.81: True, 0.79: False}  # which one the model takes
    # the revised vintage is a separate series, never mixed in
    assert history.series("广西", "rd_intensity_revised").loc[2017, "value"] == pytest.approx(0.7992, abs=1e-4)
    assert history.series("广西", "rd_intensity").loc[2017, "value"] == 0.77


def test_series_upto_hides_later_years(history):
    s = history.series("广西", "rd_intensity", upto=2020)
    assert s.index.max() == 2020


def test_unit_remarks_are_kept_as_notes(history):
    t = history.table
    row = t[(t.geo == "柳州") & (t.indicator == "tech_contract_turnover_registered_jan_may")].iloc[0]
    assert row.unit == "亿元" and "1-5月" in row.note


def test_analyst_folder_overrides_and_extends(tmp_path):
    write_csv(
        tmp_path / "mine",
        "广西,rd_intensity,2023,0.90,%,=,my correction,\n百色,rd_intensity,2022,0.45,%,=,my bureau,\n",
    )
    h = load_history([tmp_path / "mine"])
    assert h.series("广西", "rd_intensity").loc[2023, "value"] == 0.90
    assert h.series("广西", "rd_intensity").loc[2022, "value"] == 0.83  # untouched years stay
    assert h.series("百色", "rd_intensity").loc[2022, "source"] == "my bureau"
    assert h.data_hash != load_history().data_hash


def test_coverage_lists_years_and_gaps(history):
    c = history.coverage().set_index(["geo", "indicator"])
    assert c.loc[("广西", "hightech_manufacturing_firms"), "years"] == "2010–2016, 2018–2023"
    assert c.loc[("广西", "hte_stock"), "lower_bounds"] == 2


def test_a_history_file_is_read_whatever_the_case_of_its_extension_and_an_xls_is_named(tmp_path):
    write_csv(tmp_path, "百色,gdp,2020,1333.7,亿元,=,https://example.org,\n", name="DATA.CSV")
    assert load_history([tmp_path]).exact("百色", "gdp").loc[2020] == 1333.7  # not silently dropped
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(
        InputError, match=r"old.xls: found an .xls file \(Excel 97–2003\); expected the same saved as .xlsx or .csv"
    ):
        load_history([tmp_path])
    (tmp_path / "old.xls").unlink()
    (tmp_path / "macro.XLSM").write_bytes(b"PK")  # any case of its extension, like the tables read
    with pytest.raises(InputError, match=r"macro.XLSM: found an .xlsm file \(Excel with macros\)"):
        load_history([tmp_path])
