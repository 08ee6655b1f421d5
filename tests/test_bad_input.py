"""Every kind of bad input gets one InputError naming the file, the place, what was found and
what was expected."""

from __future__ import annotations

import re

import pytest
import yaml

from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history
from kjqg_model.inputs.scenarios import load_scenarios
from kjqg_model.inputs.targets import load_plan, load_plans

from .conftest import HEADER, write_csv

GOOD = "广西,rd_intensity,2023,0.84,%,=,https://example.org/a,\n"


def history_error(tmp_path, body, **kw) -> str:
    path = write_csv(tmp_path / "h", body, **kw)
    with pytest.raises(InputError) as err:
        load_history([tmp_path / "h"])
    msg = str(err.value)
    assert str(path) in msg
    return msg


@pytest.mark.parametrize(
    ("body", "header", "expect"),
    [
        (GOOD, "geo,indicator,year,value,unit,qualifier,note\n", r"line 1.*no column source"),
        (GOOD.rstrip("\n") + ",x\n", HEADER.rstrip("\n") + ",colour\n", r"unknown column 'colour'"),
        (GOOD.replace("广西", "广南"), HEADER, r"line 2, field 'geo': found '广南'.*params/geos.yaml"),
        (GOOD.replace("rd_intensity", "rd_intensty"), HEADER, r"field 'indicator': found 'rd_intensty'"),
        (GOOD.replace(",%,", ",percent,"), HEADER, r"field 'unit': found 'percent'; expected a known unit"),
        (
            GOOD.replace(",%,", ",亿元,"),
            HEADER,
            r"field 'unit': found '亿元'; expected a unit convertible to % for rd_intensity",
        ),
        (GOOD.replace("0.84", "n/a"), HEADER, r"field 'value': found 'n/a'; expected a number"),
        (GOOD.replace("0.84", "1,204"), HEADER, r"line 2: found 9 cells; expected 8 cells"),
        (
            GOOD.replace("rd_intensity,2023,0.84,%", "rd_expenditure,2023,-3,亿元"),
            HEADER,
            r"field 'value': found -3.*a positive number for rd_expenditure",
        ),
        (
            GOOD.replace("rd_intensity,2023,0.84,%", "rd_expenditure,2023,0,亿元"),
            HEADER,
            r"field 'value': found 0; expected a positive number .*modelled on logs",
        ),
        (GOOD.replace("0.84", "130"), HEADER, r"field 'value': found 130.*a share under 100 %"),
        (GOOD.replace("0.84", "100"), HEADER, r"field 'value': found 100.*logit"),
        (GOOD.replace("2023", "2099"), HEADER, r"field 'year': found 2099; expected a data year from 1949"),
        (GOOD.replace("2023", "二〇二三"), HEADER, r"field 'year'.*a whole year"),
        (GOOD.replace("2023", "2023.5"), HEADER, r"field 'year'.*a whole year"),
        (GOOD.replace("0.84", "0.84,0.86"), HEADER.replace("value", "value,value"), r"column 'value' 2 times"),
        (GOOD.replace("0.84", "0.84,"), HEADER.replace("value", "value,"), r"column 5 without a name"),
        (
            GOOD.replace("rd_intensity,2023,0.84,%", "gdp,2023,1e305,万亿元"),
            HEADER,
            r"found 1e305 万亿元; expected a figure of plausible size",
        ),
        (GOOD.replace(",=,", ",>=,"), HEADER, r"field 'qualifier': found '>='"),
        (GOOD.replace("https://example.org/a", ""), HEADER, r"field 'source': found an empty cell"),
        (GOOD + GOOD.replace("0.84", "0.85"), HEADER, r"line 3, field 'value': found 0.85 .* line 2 gives 0.84"),
        ('广西,rd_intensity,2023,"0.84,%,=,src,\n', HEADER, r"malformed CSV|cells"),
    ],
)
def test_bad_history_rows(tmp_path, body, header, expect):
    assert re.search(expect, history_error(tmp_path, body, header=header))


def test_identical_figure_from_two_sources_is_accepted(tmp_path):
    write_csv(tmp_path / "h", GOOD + GOOD.replace("example.org/a", "example.org/b"))
    h = load_history([tmp_path / "h"])
    assert h.series("广西", "rd_intensity").loc[2023, "source"].endswith("example.org/b")


def test_a_figure_for_the_year_not_yet_over_needs_a_reason(tmp_path):
    import datetime

    now = datetime.date.today().year
    msg = history_error(tmp_path, GOOD.replace("2023", str(now)))
    assert f"field 'year': found {now}; expected a year that has ended" in msg
    write_csv(
        tmp_path / "h",
        GOOD.replace("2023", str(now)).rstrip("\n") + ",预计数\n",
        header=HEADER.rstrip("\n") + ",accept\n",
    )
    assert now in load_history([tmp_path / "h"]).exact("广西", "rd_intensity").index


def test_a_year_written_as_a_whole_decimal_reads_as_in_a_workbook(tmp_path):
    write_csv(tmp_path / "h", GOOD.replace("2023", "2023.0"))  # as a CSV exported from a float column
    row = load_history([tmp_path / "h"]).series("广西", "rd_intensity").loc[2023]
    assert (row.value, row.source) == (0.84, "https://example.org/a")


def test_all_problems_of_a_file_are_listed_together(tmp_path):
    msg = history_error(tmp_path, GOOD.replace("0.84", "x") + GOOD.replace("广西", "火星"))
    assert "2 problem(s)" in msg and "line 2" in msg and "line 3" in msg


def test_empty_file(tmp_path):
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "empty.csv").write_text("")
    with pytest.raises(InputError, match=r"empty.csv: found an empty file"):
        load_history([tmp_path / "h"])


def test_gbk_file(tmp_path):
    msg = history_error(tmp_path, GOOD, encoding="gbk")
    assert "line 2" in msg and "GBK" in msg and "UTF-8" in msg


def test_missing_history_folder(tmp_path):
    with pytest.raises(InputError, match=r"no such folder"):
        load_history([tmp_path / "nowhere"])


# --- targets -------------------------------------------------------------------------------------


def edit_target(params_copy, plan, index, **changes):
    path = params_copy / "targets" / f"{plan}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for k, v in changes.items():
        if v is None:
            data["targets"][index].pop(k, None)
        else:
            data["targets"][index][k] = v
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_plan(path)
    msg = str(err.value)
    assert str(path) in msg and "target rd_intensity_2023" in msg
    return msg


@pytest.mark.parametrize(
    ("changes", "expect"),
    [
        (dict(kind="stock"), r"field 'kind': found 'stock'; expected level \| cumulative"),
        (dict(comparator="=>"), r"field 'comparator': found '=>'"),
        (dict(unit="亿元"), r"field 'unit': found '亿元'; expected a unit for a level target on rd_intensity: %"),
        (dict(unit="hectare"), r"field 'unit': found 'hectare'; expected a known unit"),
        (dict(indicator="rd_intensty"), r"field 'indicator': found 'rd_intensty'"),
        (dict(threshold="1.3%"), r"field 'threshold': found '1.3%'; expected a number"),
        (dict(year=3023), r"field 'year': found 3023"),
        (dict(threshold=-1.3), r"field 'threshold': found -1.3; expected a number of at least 0 for a level target"),
        (dict(kind="growth_rate"), r"field 'period': found None; expected \[start, end\] for a growth_rate target"),
        (dict(kind="relative", unit="ratio"), r"field 'relative_to'"),
        (dict(clause=None), r"field 'clause': found 'nothing'"),
        (dict(colour="red"), r"field 'colour': found 'an unknown field'"),
    ],
)
def test_bad_targets(params_copy, changes, expect):
    assert re.search(expect, edit_target(params_copy, "guangxi_2021_2023", 0, **changes))


def test_duplicate_target_id(params_copy):
    path = params_copy / "targets" / "baise_2021_2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["targets"][1]["id"] = data["targets"][0]["id"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match=r"baise_2021_2023.yaml, target 2, field 'id'.*not used before"):
        load_plan(path)


def test_malformed_yaml_names_the_line(params_copy):
    path = params_copy / "targets" / "guilin_2026_2030.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"guilin_2026_2030.yaml, line \d+, column \d+: found malformed YAML"):
        load_plans(params_copy / "targets")


def test_plan_id_must_match_file(params_copy):
    path = params_copy / "targets" / "guilin_2026_2030.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("plan: guilin_2026_2030", "plan: guilin"), encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"field 'plan': found 'guilin'; expected the file name's stem"):
        load_plan(path)


# --- scenarios -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (
            "baseline: {fiscal_st_growth: null, gdp_growth: null}\nscenarios:\n  odd: {fiscal_growth: 0.07}\n",
            r"scenario odd, field 'fiscal_growth': found an unknown parameter; expected one of fiscal_st_growth",
        ),
        (
            "baseline: {fiscal_st_growth: null, gdp_growth: null}\nscenarios:\n  big: {fiscal_st_growth: 7}\n",
            r"scenario big, field 'fiscal_st_growth': found 7; expected a yearly rate .*0.07 = 7 %",
        ),
        ("baseline: {fiscal_st_growth: null}\n", r"scenario baseline, field 'gdp_growth'"),
        ("scenarios: {}\n", r"field 'baseline'"),
        ("baseline: {fiscal_st_growth: [\n", r"line \d+, column \d+: found malformed YAML"),
    ],
)
def test_bad_scenarios(tmp_path, text, expect):
    path = tmp_path / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenarios(path)
    assert str(path) in str(err.value) and re.search(expect, str(err.value))


@pytest.mark.parametrize("line, field", [("paths: 2万", "paths"), ("paths: -1", "paths"), ("seed: -3", "seed")])
def test_runs_yaml_defaults_are_validated_with_the_file_named(tmp_path, line, field):
    from kjqg_model.inputs.locations import params_dir
    from kjqg_model.reporting.batch import load_runs

    text = (params_dir() / "runs.yaml").read_text(encoding="utf-8")
    key = line.split(":")[0]
    path = tmp_path / "runs.yaml"
    path.write_text("\n".join(line if x.startswith(f"{key}:") else x for x in text.splitlines()), encoding="utf-8")
    with pytest.raises(InputError, match=rf"runs.yaml, field '{field}'"):
        load_runs(path)


def test_a_header_only_file_is_named_not_passed_over(tmp_path):
    write_csv(tmp_path / "h", "")  # as an empty file is: a run on it would change nothing without a word
    with pytest.raises(InputError, match=r"extra.csv, field 'value': found a header and no rows"):
        load_history([tmp_path / "h"])


def test_a_killed_batch_leaves_nothing_a_later_run_does_not_clean(tmp_path):
    import os

    from kjqg_model.reporting.batch import remove_stale_staging

    dead = _dead_pid()
    stale = tmp_path / f".guangxi.partial-{dead}-abc"
    live = tmp_path / f".guangxi.partial-{os.getpid()}-xyz"
    for folder in (stale, live):
        (folder / "sub").mkdir(parents=True)
    assert remove_stale_staging(tmp_path) == [stale]
    assert not stale.exists() and live.exists()  # a running batch's folder is left alone


def _dead_pid() -> int:
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda k: k.project("广西", "gdp", n_paths=0), "n_paths"),
        (lambda k: k.project("广西", "gdp", seed=1.5), "seed"),
        (lambda k: k.project("广西", "rd_intensity", end="2030"), "end"),
        (lambda k: k.project("广西", "rd_intensity", origin=2021, end=2019), "end"),
        (lambda k: k.evaluate_targets("guangxi_2021_2023", origin="2020"), "origin"),
        (lambda k: k.sensitivity("guangxi_2021_2023", n_paths=0), "n_paths"),
        (lambda k: k.required_growth("guangxi_2021_2023/rd_intensity_2023", 1.5), "probability"),
        (lambda k: k.run_backtest(origins=("2019", "2020")), "origins"),
        (lambda k: k.run_backtest(origins=(2024,), indicators="rd_intensity"), "origins"),
        (lambda k: k.run_backtest(origins=(2020,), indicators="nope"), "indicators"),
        (lambda k: k.forecast_series([1, 2, 3], ["2018", "2019", "2020"], horizon=3), "years"),
        (lambda k: k.forecast_series(["10", "x", "12"], [2018, 2019, 2020], horizon=3), "values"),
        (lambda k: k.forecast_series([10, 11, 12], [2018, 2019, 2020], horizon=3, seed=1.5), "seed"),
        (lambda k: k.forecast_series([10, 11, 12], [2018, 2019, 2020], horizon=3, seed=None), "seed"),
        (lambda k: k.evaluate_targets("baise_2021_2023", history_dirs="no/such/folder"), "no/such/folder"),
    ],
)
def test_the_public_functions_name_a_bad_argument(call, field):
    import kjqg_model as k

    with pytest.raises(InputError) as err:
        call(k)
    assert f"field '{field}'" in str(err.value) or field in str(err.value).split(":")[0]


def test_a_history_file_given_for_its_folder_says_which_folder(tmp_path):
    path = write_csv(tmp_path, "广西,gdp,2019,21237,亿元,=,https://example.org,\n")
    with pytest.raises(InputError, match=rf"found a file, not a folder; expected the folder holding it \({tmp_path}\)"):
        load_history([path])


def test_a_lower_bound_typed_into_the_value_says_how_to_write_it(tmp_path):
    write_csv(tmp_path, "百色,hte_stock,2021,突破52,家,=,https://example.org,\n")
    with pytest.raises(InputError, match=r"found '突破52'; expected a number .* is 52 with qualifier '>'"):
        load_history([tmp_path])


def test_an_analysts_slips_in_names_counts_and_bases_are_named(tmp_path):
    assert "did you mean rd_intensity?" in history_error(tmp_path, GOOD.replace("rd_intensity", "rd_intensty"))
    stock = "百色,hte_stock,2020,52.5,家,=,https://example.org/a,\n"
    assert "found 52.5; expected a whole number of 家" in history_error(tmp_path, stock)
    basisless = "百色,tech_contract_turnover,2020,30.2,亿元,=,https://example.org/a,\n"
    msg = history_error(tmp_path, basisless)
    assert "tech_contract_turnover_inflow (inflow) or tech_contract_turnover_outflow (outflow)" in msg


def test_one_figure_in_two_units_is_one_figure_and_a_bound_beside_it_is_named_as_one(tmp_path):
    same = "百色,tech_contract_turnover_inflow,2020,30.2,亿元,=,https://example.org/a,\n"
    write_csv(tmp_path / "h", same + same.replace("30.2,亿元", "302000,万元"))
    assert load_history([tmp_path / "h"]).exact("百色", "tech_contract_turnover_inflow")[2020] == pytest.approx(30.2)
    msg = history_error(tmp_path, same + same.replace(",=,", ",>,"))
    assert "found > 30.2 亿元 for 百色 tech_contract_turnover_inflow 2020, but line 2 gives 30.2 亿元" in msg


def test_two_analyst_files_disagreeing_on_a_figure_is_an_error_naming_both(tmp_path):
    row = "百色,tech_contract_turnover_inflow,2020,{},亿元,=,https://example.org/a,\n"
    write_csv(tmp_path / "h", row.format(30.2), name="a.csv")
    write_csv(tmp_path / "h", row.format(45.0), name="b.csv")
    with pytest.raises(InputError) as err:
        load_history([tmp_path / "h"])
    msg = str(err.value)
    assert "b.csv" in msg and "a.csv gives 30.2 亿元" in msg and "found 45.0 亿元" in msg
    write_csv(tmp_path / "h", row.format(30.2), name="b.csv")  # the same figure twice is fine
    assert load_history([tmp_path / "h"]).exact("百色", "tech_contract_turnover_inflow")[2020] == pytest.approx(30.2)


def test_vintages_of_one_figure_use_the_latest_whatever_the_row_order_and_unordered_ones_are_named(tmp_path):
    head = HEADER.rstrip("\n") + ",vintage\n"
    older, newer = GOOD.replace("0.84", "0.80").rstrip("\n") + ",2023年鉴\n", GOOD.rstrip("\n") + ",2024年鉴\n"
    for body in (older + newer, newer + older):
        write_csv(tmp_path / "h", body, header=head)
        assert load_history([tmp_path / "h"]).exact("广西", "rd_intensity")[2023] == 0.84
    msg = history_error(tmp_path, older.replace("2023年鉴", "初值") + newer.replace("2024年鉴", "终值"), header=head)
    assert "2 vintages of 广西 rd_intensity 2023 that cannot be ordered: line 2 (初值), line 3 (终值)" in msg
    msg = history_error(tmp_path, older.replace(",2023年鉴", ",") + newer, header=head)  # blank: the file's name
    assert "line 2 (no vintage), line 3 (2024年鉴)" in msg
