"""What a provincial leader reads in the PDF briefs: Chinese labels only (no variable names, code
or missing-value markers), both turnover bases, thin probabilities flagged with their observation
count, a data request for a plan without data, and the files analysts use beside each brief."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kjqg_model.engine.projection import SHIFTS
from kjqg_model.inputs.context import Context
from kjqg_model.inputs.coverage import leaning, load_record
from kjqg_model.inputs.targets import Target
from kjqg_model.reporting.brief import ASSUMPTION_ZH, Brief, actual_text, citation, goal

from .conftest import BRIEF_PATHS, BRIEF_RUNS

# words a reader must never see: code, English statuses, missing-value markers
JARGON = (
    "history CSV",
    "not modelled",
    "supply it",
    "inflow",
    "outflow",
    "drift",
    "noise",
    "baseline",
    "n/a",
    "logit",
    "README",
)
MISSING = re.compile(r"\b(?:nan|NaN|None|null)\b")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_no_variable_names_code_or_missing_markers_in_any_brief(rendered):
    text = rendered.text
    ctx = Context.get()
    # the plan's id (in the template command), the code version, and the addresses data were read from
    allowed = {r.plan for r in BRIEF_RUNS.values()} | {"kjqg_model"} | set(SNAKE.findall(" ".join(ctx.history.files)))
    allowed |= set(SNAKE.findall(" ".join(ctx.history.table.source.unique())))
    for name, t in text.items():
        assert not set(SNAKE.findall(t)) - allowed, (name, set(SNAKE.findall(t)) - allowed)
        assert not MISSING.findall(t), (name, MISSING.findall(t))
        for word in JARGON:
            assert word not in t, (name, word)
        # headings in Chinese only: no English words beside them (names of sources and data aside)
        headings = re.findall(r"^[一二三四五六七八九十]+、(.+)$", t, flags=re.M)
        assert headings and not [h for h in headings if re.search(r"[A-Za-z]{3,}", h)], (name, headings)
        for indicator in ctx.vocab.indicators:  # 'gdp' or 'rd_intensity' as a word, not 'GDP'
            assert not re.search(rf"(?<![\w.]){re.escape(indicator)}(?![\w.])", t), (name, indicator)


def test_guangxi_shows_both_turnover_bases_with_outcomes_and_the_jump(rendered):
    text = rendered.text
    gx = squeezed(text["gx"])
    assert "技术合同成交额累计总额（按吸纳地域）" in gx and "技术合同成交额累计总额（按输出地域）" in gx
    assert "累计2,481亿元" in gx and "累计1,256亿元" in gx
    assert "2021年为1,254亿元，是2020年（474亿元）的2.6倍" in gx
    assert "2023年比2020年" not in gx  # 只增不减 is judged year by year: its worst year is shown
    assert "最低一年比上年增加3.19亿元" in gx
    assert "没有各省的同一指标可借鉴" not in gx  # every Guangxi series has its provincial panel


def test_guilin_thin_probability_shows_its_observation_count_and_how_new_firms_are_counted():
    brief = Brief("guilin_2026_2030", ("baseline",), None, BRIEF_PATHS)
    rows = brief.rows(brief.results, brief.scenarios)
    table, *_, notes = brief.headline_parts(rows)
    assert re.search(r"\d+%（仅1个观测）", table.to_html())
    assert "只有1个观测（2023年431家）" in notes and "按年末保有量的净增计算" in notes
    assert "“新增高新技术企业数量”没有各省的同一指标可借鉴" in notes  # no recognitions: its own borrowed trend
    assert brief.last_data_year() == 2023


def test_baise_brief_is_a_data_request_without_empty_sections(rendered):
    text = rendered.text
    bs = squeezed(text["bs"])
    assert "需要补充的数据" in bs and "kjqgtemplate--planbaise_2021_2023--out需求.xlsx" in bs
    assert "R&D经费投入强度（%）" in bs and "全社会R&D经费投入强度：2023年＞0.8%" in bs
    for empty in ("目标达成概率", "扇形图", "累计目标", "回看", "敏感性", "数据与来源", "方法与注意事项"):
        assert empty not in bs, empty


def test_each_run_writes_excel_beside_the_csv_and_the_last_data_year(rendered):
    out = rendered.out
    book = openpyxl.load_workbook(out / "gx" / "probabilities.xlsx", read_only=True)
    assert book.sheetnames[0] == "概率 probabilities" and len(book.sheetnames) == 2  # and the look-back
    sheet = pd.read_excel(out / "gx" / "probabilities.xlsx")
    csv = pd.read_csv(out / "gx" / "probabilities.csv")
    assert list(sheet.columns) == list(csv.columns) and len(sheet) == len(csv) == 2 * 72  # two scenarios
    assert not (out / "bs" / "lookback_probabilities.csv").exists()  # Baise: nothing to look back on
    manifest = json.loads((out / "gx" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["origin"] == 2020 and manifest["last_data_year"] == 2020
    html = (out / "gx" / "brief.html").read_text(encoding="utf-8")
    assert ".otf" not in html and not list((out / "gx").glob("*.otf"))  # no font copied per run


def test_the_kernel_does_not_warn_about_unencrypted_tcp(rendered):
    stderr = rendered.stderr
    assert "without encryption" not in stderr


# --- formatting, without running a notebook ---------------------------------------------------


def target(**kw) -> Target:
    base = dict(plan="p", id="t", name="n", geo="广西", indicator=None, comparator=">=", threshold=1.0)
    return Target(**(base | dict(unit="亿元", clause="", year=2023) | kw))


def test_goals_and_outcomes_read_in_words_with_units():
    assert goal(target(kind="relative", relative_to="全国", unit="ratio")) == "2023年不低于全国平均水平"
    cum = target(kind="cumulative", period=(2021, 2023), comparator=">", threshold=2000)
    assert goal(cum) == "2021—2023年累计＞2000亿元"
    assert actual_text(cum, 2481.3224) == "累计2,481亿元"
    new = target(kind="increase", period=(2025, 2030), threshold=200, unit="家", year=2030)
    assert goal(new, stock=True) == "2025—2030年净增≥200家"
    flat = target(kind="increase", period=(2020, 2023), threshold=0, each_year=True)
    assert goal(flat) == "2020—2023年逐年不减"
    assert actual_text(flat, 3.19) == "最低一年比上年增加3.19亿元"
    share = target(kind="level", unit="%", threshold=2.2)
    assert actual_text(share, 1.835901) == "1.84%" and actual_text(share, 0.84) == "0.84%"
    assert goal(target(kind="level", threshold=2, threshold_high=3, unit="个")) == "2023年2—3个"
    yearly = target(kind="level", period=(2026, 2030), year=2030, threshold=1000, unit="万元", each_year=True)
    assert goal(yearly) == "2026—2030年每年≥1000万元" and actual_text(yearly, 900) == "最低一年900万元"


def test_sources_cite_the_statistical_publication():
    yearbook = "github:huhuaping/techme@9ad data-raw/x.xlsx"
    assert (
        citation("中国统计年鉴 表7-6 分地区一般公共预算支出", yearbook) == "中国统计年鉴 表7-6 分地区一般公共预算支出"
    )
    assert citation("[Wikipedia mirror, 2021年廣西各市地區生產總值列表, cites 《廣西統計年鑑-2021》] 北海市", "") == (
        "《廣西統計年鑑-2021》"
    )
    reported = "高新技术企业数量突破2800家。(香港商报 2021-05-22)"
    assert citation(reported, "http://tp.hkcd.com/x.html") == "香港商报 2021-05-22"


def test_every_sensitivity_assumption_has_a_chinese_label():
    assert set(SHIFTS) <= set(ASSUMPTION_ZH)


def test_a_look_back_says_when_the_data_stop_before_it(tmp_path, monkeypatch):
    import IPython.display

    from .test_analyst_inputs import fill_like_an_analyst, run

    assert run("template", "--plan", "baise_2021_2023", "--out", str(tmp_path / "need.xlsx"))[0] == 0
    fill_like_an_analyst(tmp_path / "need.xlsx")  # Baise's own series, up to 2020
    shown: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda part: shown.append(getattr(part, "data", str(part))))
    brief = Brief("baise_2021_2023", ("baseline",), 2020, 200, history_dirs=[tmp_path], exante_origin=2021)
    assert brief.last_data_year() == 2020
    brief.lookback_section()
    assert shown and "从2021年数据回看" in shown[0] and "所用数据实际只到2020年" in shown[0]


def test_a_target_the_plan_states_twice_is_one_row_and_one_panel(tmp_path):
    import yaml

    plan = yaml.safe_load(Path(Context.get().plan("guangxi_2021_2023").file).read_text(encoding="utf-8"))
    rd = next(t for t in plan["targets"] if t["id"] == "rd_intensity_2023")
    plan.update(plan="twice", targets=[rd, {**rd, "id": "rd_intensity_2023_again", "section": "二"}])
    (tmp_path / "twice.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    brief = Brief("twice", ("baseline",), 2020, 500, plans_dirs=[tmp_path], exante_origin=None)
    assert "本方案共1项量化目标**（方案中有1项重复列出，只计一次）" in brief.coverage_line()
    assert [r.target.id for r in brief.rows(brief.results, brief.scenarios)] == ["rd_intensity_2023"]
    fig, flat = brief.tornado()
    assert (len(fig.axes) if fig is not None else 0) + len(flat) == 1


def test_the_gdp_growth_assumed_is_one_figure_wherever_the_brief_quotes_it(rendered):
    gx = squeezed(rendered.text["gx"])
    assumed = re.findall(r"延续近期趋势，年均约(\d+\.\d)%", gx)
    quoted = re.findall(r"GDP（分母）年均约增长(\d+\.\d)%", gx)
    assert assumed and quoted and set(assumed) == set(quoted), (assumed, quoted)


def test_the_guangxi_brief_says_which_way_the_backtest_found_its_forecasts_leaning(rendered):
    # what the shipped record (params/calibration.csv, written by the backtest) says of recognitions
    # 1–3 years ahead, the brief says of the high-tech enterprise target built from them
    record = load_record()
    rec = record[(record.indicator == "hte_recognitions") & (record.horizons == "1–3")].iloc[0]
    words = {"high": "预测总体偏高", "low": "预测总体偏低", "wide": "预测区间偏宽", "narrow": "预测区间偏窄"}
    lean = leaning(rec.n, rec.cover80, rec.below, rec.above)
    line = f"高新技术企业认定（含重新认定）提前1—3年的{words[lean]}" if lean else "高新技术企业认定（含重新认定）提前"
    assert (squeezed(line) in squeezed(rendered.text["gx"])) == bool(lean)


def test_a_leaning_line_names_its_targets_and_what_it_means_for_them(monkeypatch):
    record = pd.DataFrame(
        dict(indicator=["tech_contract_turnover_outflow"], horizons=["1–3"], n=[700], cover80=[0.77])
        | dict(below=[0.07], above=[0.16], data_hash=["x"], command=["kjqg backtest"])
    )
    monkeypatch.setattr("kjqg_model.reporting.brief.load_record", lambda: record)
    b = Brief("guangxi_2021_2023", origin=2020, n_paths=2000)
    notes = b.calibration_notes(b.rows(b._first(), b.scenarios[:1]))
    assert notes == [
        "“技术合同成交额累计总额（按输出地域）”：回测中，技术合同成交额（按输出地域）提前1—3年的预测总体偏低"
        "（实际结果低于预测区间下沿的占7%、高于上沿的占16%，应各占10%）：达标概率可能被低估。"
    ]
    monkeypatch.setattr("kjqg_model.reporting.brief.load_record", lambda: None)  # no record: no line
    b = Brief("guangxi_2021_2023", origin=2020, n_paths=2000)
    assert b.calibration_notes(b.rows(b._first(), b.scenarios[:1])) == []


def test_a_place_without_its_own_fiscal_series_is_told_its_past_is_a_stand_in():
    notes = Brief("liuzhou_2021_2023", ("baseline",), None, 200).stand_in_notes()
    assert notes == [
        "柳州没有一般公共预算科学技术支出的历史数据，过去各年按各省同年的平均增速代替；所需增速指柳州本级财政科技支出的增速，只作参考。"
    ]
    assert Brief("guangxi_2021_2023", ("baseline",), None, 200).stand_in_notes() == []  # 广西 publishes both


def test_a_fan_chart_of_a_ratio_built_from_its_inputs_shows_its_history():
    from kjqg_model import project
    from kjqg_model.reporting import plots

    proj = project("广西", "rd_intensity", end=2025, n_paths=500)
    empty = pd.DataFrame({"value": []}, index=pd.Index([], name="year"))  # not published as itself
    fig = plots.fan_chart(proj, empty, [], Context.get().vocab)
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_label() == "历史")
    assert list(line.get_xdata()) == list(proj.observed.index)
    plots.plt.close(fig)


def test_a_footer_with_ascii_quotes_prints_them_not_html_entities(tmp_path):
    from pypdf import PdfReader

    from kjqg_model.reporting.fonts import subset_font
    from kjqg_model.reporting.pdf import PAGE, _css_string, html_to_pdf

    footer = '梧州市"十四五"科技创新规划 <b>\\'
    page = PAGE.format(title="t", footer=_css_string(footer), body="<p>正文</p>")
    font = subset_font(footer + "正文 —/0123456789", tmp_path / "font.otf")  # a few glyphs: fast to load
    text = PdfReader(html_to_pdf(page, tmp_path / "f.pdf", tmp_path, font)).pages[0].extract_text()
    assert '"十四五"' in text and "&quot;" not in text and "<b>" in text


def test_a_progress_ratio_not_measured_since_the_base_year_names_the_years_of_its_pace():
    import kjqg_model as k
    from kjqg_model.engine.fit import exact_series
    from kjqg_model.reporting.brief import _progress_text

    rows = k.evaluate_targets(plan="guangxi_2021_2023", origin=2020, n_paths=200, seed=0).set_index("target_id")
    row = rows.loc["rd_intensity_2023"]  # base year 2020 is the latest year: no pace since it yet
    s = exact_series(Context.get().history, "广西", "rd_intensity", 2020)
    observed = (s[2020] / s[2015]) ** (1 / 5) - 1
    required = (1.3 / s[2020]) ** (1 / 3) - 1
    assert row.progress_ratio == pytest.approx(observed / required)
    assert row.progress == "limited progress; pace 2015-2020"
    text = _progress_text(row.progress_ratio, row.progress)
    assert text == f"{observed / required:.2f}（进展有限，按2015—2020年增速）"
    assert _progress_text(1.2, "on track") == "1.20（按期可达）"
