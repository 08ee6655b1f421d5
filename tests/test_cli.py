"""The kjqg command line: stable columns, --help everywhere, clear errors with exit code 2."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from kjqg_model.cli import main

from .conftest import write_csv


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help and usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_targets_csv_has_the_contract_columns():
    code, out, _ = run("targets", "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns[:10]) == [
        "plan",
        "target_id",
        "geo",
        "indicator",
        "kind",
        "year",
        "comparator",
        "threshold",
        "unit",
        "status",
    ]
    assert len(df) > 100 and df.status.notna().all()
    rd = df[(df.plan == "guangxi_2021_2023") & (df.target_id == "rd_intensity_2023")].iloc[0]
    assert (rd.threshold, rd.unit, rd.comparator, rd.status) == (1.3, "%", ">", "modelled")
    baise = df[(df.plan == "baise_2021_2023") & (df.indicator == "rd_intensity")].iloc[0]
    assert baise.status.startswith("no history for 百色 rd_intensity")


def test_targets_plan_filter_and_table():
    code, out, _ = run("targets", "--plan", "guilin_2026_2030")
    assert code == 0 and "guilin_2026_2030" in out and "liuzhou" not in out


def test_unknown_plan_is_a_clear_error():
    code, _, err = run("targets", "--plan", "nanning_2021_2023")
    assert code == 2 and "nanning_2021_2023" in err and "guangxi_2021_2023" in err and "Traceback" not in err


def test_data_views():
    code, out, _ = run("data", "--format", "csv")
    cov = pd.read_csv(io.StringIO(out))
    row = cov[(cov.geo == "广西") & (cov.indicator == "rd_intensity")].iloc[0]
    assert (row["first"], row["last"]) == (2010, 2023)
    code, out, _ = run("data")  # the table: years as years
    assert code == 0 and "2,010" not in out and "2010  2023" in out
    code, out, _ = run("data", "--view", "targets", "--plan", "guangxi_2021_2023", "--origin", "2020")
    assert code == 0 and "广西 rd_intensity: 11 obs 2010–2020" in out
    code, out, _ = run("data", "--view", "conflicts", "--format", "csv")
    assert code == 0 and "guangxi_reported" in out


def test_history_folder_changes_status(tmp_path):
    write_csv(
        tmp_path / "mine",
        "百色,rd_intensity,2019,0.40,%,=,my bureau,\n百色,rd_intensity,2020,0.42,%,=,my bureau,\n"
        "百色,rd_intensity,2021,0.45,%,=,my bureau,\n",
    )
    code, out, _ = run("targets", "--plan", "baise_2021_2023", "--format", "csv", "--history", str(tmp_path / "mine"))
    df = pd.read_csv(io.StringIO(out))
    assert code == 0 and df[df.indicator == "rd_intensity"].status.iloc[0] == "modelled"


def test_bad_history_folder_reports_file_and_line(tmp_path):
    write_csv(tmp_path / "mine", "百色,rd_intensity,2021,abc,%,=,my bureau,\n")
    code, _, err = run("data", "--history", str(tmp_path / "mine"))
    assert code == 2 and "extra.csv, line 2, field 'value': found 'abc'" in err


@pytest.mark.parametrize("command", [[], ["targets"], ["data"]])
def test_help_everywhere(command):
    code, out, _ = run(*command, "--help")
    assert code == 0 and "usage: kjqg" in out


def test_console_script_and_module_entry_point():
    res = subprocess.run(
        [sys.executable, "-m", "kjqg_model", "targets", "--plan", "baise_2021_2023", "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert res.stdout.startswith("plan,target_id,geo,indicator,kind,year,comparator,threshold,unit,status")


@pytest.mark.parametrize(
    "option, value, expect",
    [
        ("--seed", "-1", "from 0"),
        ("--origin", "2040", "a data year from 1990"),
        ("--paths", "1000000000000", "from 1 to 50,000,000"),
        ("--paths", "2万", "a whole number of paths"),
    ],
)
def test_bad_options_are_refused_up_front(option, value, expect):
    code, _, err = run("probabilities", "--plan", "guangxi_2021_2023", option, value)
    assert code == 2 and option in err and expect in err and "Traceback" not in err


def test_a_published_lower_bound_shows_as_one_in_the_table():
    # 广西's 2023 stock was published as "突破4000": the table must not print a plain 4,000
    code, out, err = run("probabilities", "--plan", "guangxi_2021_2023", "--paths", "200")
    assert code == 0, err
    row = next(line for line in out.splitlines() if "高新技术企业数量" in line)
    assert "> 4,000" in row


@pytest.mark.parametrize(("extra", "said"), [((), "forecast from all data"), (("--origin", "2020"), "data up to 2020")])
def test_the_table_says_which_data_the_forecast_starts_from(extra, said):
    code, out, err = run("probabilities", "--plan", "guangxi_2021_2023", "--paths", "100", *extra)
    assert code == 0, err
    assert said in out.splitlines()[-1]


def test_the_commands_it_suggests_for_an_analysts_plan_name_its_folder(tmp_path):
    from pathlib import Path

    import yaml

    from kjqg_model.inputs.context import Context

    plan = yaml.safe_load(Path(Context.get().plan("baise_2021_2023").file).read_text(encoding="utf-8"))
    plan["plan"] = "my_baise"
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "my_baise.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    folder = str(tmp_path / "plans")
    code, out, err = run("probabilities", "--plans", folder, "--plan", "my_baise", "--paths", "100")
    assert code == 0, err
    assert f"kjqg template --plan my_baise --plans {folder} --out need.xlsx" in out
    code, out, err = run("template", "--plans", folder, "--plan", "my_baise", "--out", str(tmp_path / "need.xlsx"))
    assert code == 0, err
    assert f"kjqg probabilities --plan my_baise --plans {folder} --origin 2020 --history FOLDER" in out
    assert Context.get().plan("baise_2021_2023").option == "--plan baise_2021_2023"  # a shipped plan needs no folder


def test_a_tables_out_is_written_in_the_format_its_name_ends_in(tmp_path):
    for name in ("p.csv", "p.xlsx"):
        code, _, err = run(
            "probabilities", "--plan", "guangxi_2021_2023", "--paths", "500", "--out", str(tmp_path / name)
        )
        assert code == 0, err
    csv, xlsx = pd.read_csv(tmp_path / "p.csv"), pd.read_excel(tmp_path / "p.xlsx")
    assert len(csv) == len(xlsx) > 0 and list(csv.columns) == list(xlsx.columns)  # every column, not the table's
    assert "probability" in csv.columns
    code, _, err = run("probabilities", "--plan", "guangxi_2021_2023", "--out", str(tmp_path / "p.txt"))
    assert code == 2 and "expected FILE.xlsx or FILE.csv" in err
    code, out, err = run(
        "probabilities",
        "--plan",
        "guangxi_2021_2023",
        "--paths",
        "500",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "c.csv"),
    )
    assert code == 0 and "rows written" in out, err  # --format csv with --out: the file, not stdout
    assert pd.read_csv(tmp_path / "c.csv").equals(csv)
    code, _, err = run(
        "probabilities", "--plan", "guangxi_2021_2023", "--format", "csv", "--out", str(tmp_path / "c.xlsx")
    )
    assert code == 2 and "matching --format csv" in err and not (tmp_path / "c.xlsx").exists()


def test_rows_no_target_reads_are_named(tmp_path):
    rows = "".join(f"柳州,gdp,{y},{3000 + 100 * (y - 2018)},亿元,=,https://example.org,\n" for y in (2018, 2019, 2020))
    write_csv(tmp_path, rows)  # 柳州's GDP in a folder for 桂林's plan: read by none of its targets
    code, out, err = run("probabilities", "--plan", "guilin_2026_2030", "--paths", "200", "--history", str(tmp_path))
    assert code == 0, err
    assert "# read by no target of guilin_2026_2030: 柳州 gdp (3 rows, extra.csv)" in out
    code, out, err = run("probabilities", "--plan", "guilin_2026_2030", "--format", "csv", "--history", str(tmp_path))
    assert code == 0 and "read by no target" in err and "read by no target" not in out  # stdout is the data
    code, out, _ = run("probabilities", "--plan", "baise_2021_2023", "--history", str(tmp_path))
    assert code == 0 and "# read by no target of baise_2021_2023: 柳州 gdp" in out  # no probability at all: still said
    code, out, _ = run("probabilities", "--plan", "liuzhou_2021_2023", "--paths", "200", "--history", str(tmp_path))
    assert code == 0 and "read by no target" not in out  # 柳州's R&D intensity divides by it


def test_an_analyst_figure_replacing_a_published_one_is_said_in_the_output_and_the_brief(tmp_path):
    from kjqg_model.reporting.brief import Brief

    write_csv(
        tmp_path, "广西,rd_intensity,2023,0.90,%,=,my correction,\n广西,rd_intensity,2022,0.83,%,=,as published,\n"
    )
    code, out, err = run("probabilities", "--plan", "guangxi_2021_2023", "--paths", "200", "--history", str(tmp_path))
    assert code == 0, err
    assert "# your files replace 1 published figure(s): 广西 rd_intensity 2023: 0.84 → 0.9 % (extra.csv)" in out
    brief = Brief("guangxi_2021_2023", ("baseline",), None, 200, history_dirs=[tmp_path])
    rows = brief.rows(brief.results, brief.scenarios)
    assert brief.override_notes(rows) == [
        "本简报采用地方提供的数据，替换了公开发布的数值（广西R&D经费投入强度2023年0.84%→0.90%）；结果以地方数据为准。"
    ]
    assert Brief("guangxi_2021_2023", ("baseline",), None, 200).override_notes(rows) == []


def test_a_table_is_never_written_into_an_input_folder(tmp_path):
    write_csv(tmp_path, "百色,rd_intensity,2020,0.42,%,=,my bureau,\n")
    data = (tmp_path / "extra.csv").read_bytes()
    for out in ("extra.csv", "results.xlsx"):  # the analyst's own data, or a file the next run would read as data
        code, _, err = run("probabilities", "--plan", "baise_2021_2023", "--history", str(tmp_path), "--out",
                           str(tmp_path / out))  # fmt: skip
        assert code == 2 and "inside the --history folder" in err
    assert (tmp_path / "extra.csv").read_bytes() == data and not (tmp_path / "results.xlsx").exists()


def test_the_tables_say_what_a_target_measures_not_only_its_threshold():
    code, out, _ = run("targets", "--plan", "guangxi_2021_2023")
    assert code == 0 and ">= 0 亿元 increase" in out and "in all" in out  # 只增不减; a sum over 2021-2023
    code, out, _ = run("targets", "--plan", "guilin_2026_2030")
    assert code == 0 and ">= 1,000 万元 each" in out  # 每年安排1000万元
    code, out, _ = run("probabilities", "--plan", "liuzhou_2021_2023", "--paths", "200")
    assert code == 0 and ">= 1 × average" in out and "ratio" not in out.split("# forecast")[0]
