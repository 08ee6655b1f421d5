"""Property: whatever options an analyst types, `kjqg` ends with exit code 0 or 2 and a message, never
a Python traceback."""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kjqg_model import cli
from kjqg_model.cli import main

VALUES = st.one_of(
    st.text(max_size=10),
    st.integers(-(10**13), 10**13).map(str),
    st.sampled_from(
        ["", "-1", "0", "2040", "2020", "1989", "2万", "1e3", "20000", "nan", "guangxi_2021_2023", "baise_2021_2023",
         "fiscal-7", "gdp-4", "no-such", "xlsx", "csv", "table", "/nonexistent/x", ".", "out.xlsx", "out.csv", "百色"]
    ),
)  # fmt: skip
OPTIONS = {
    "targets": ["--plan", "--plans", "--origin", "--format", "--history", "--out"],
    "data": ["--view", "--plan", "--origin", "--format", "--history"],
    "probabilities": ["--plan", "--plans", "--scenario", "--origin", "--paths", "--seed", "--format", "--out"],
    "template": ["--plan", "--origin", "--out", "--history"],
    "draft-plan": ["--plan", "--geo", "--out"],
}


def _cheap(argv: list[str]) -> bool:
    """Valid path counts run the model: keep them small so the property stays fast."""
    for flag, value in itertools.pairwise(argv):
        if flag == "--paths" and value.strip().lstrip("+").isdigit() and int(value) > 500:
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    command=st.sampled_from(sorted(OPTIONS)),
    picks=st.lists(st.tuples(st.integers(0, 7), VALUES), max_size=4),
    positional=VALUES,
)
def test_any_options_end_in_exit_0_or_2_without_a_traceback(command, picks, positional):
    argv = [command] + ([positional] if command == "draft-plan" else [])
    for i, value in picks:
        argv += [OPTIONS[command][i % len(OPTIONS[command])], value]
    if command == "probabilities" and "--plan" not in argv:
        argv += ["--plan", "baise_2021_2023"]  # the whole set would be slow; Baise answers instantly
    assume(_cheap(argv))
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp, redirect_stdout(out), redirect_stderr(err):
        os.chdir(tmp)  # outputs named by the fuzz land in a scratch folder
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse rejects an option: usage and exit 2
            code = exc.code
        finally:
            os.chdir(cwd)
    assert code in (0, 2), (argv, err.getvalue()[-2000:])
    assert "Traceback" not in err.getvalue() + out.getvalue()


def test_a_read_only_output_is_a_clear_error(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "need.xlsx"))

    monkeypatch.setattr("kjqg_model.reporting.template.atomic_write", refuse)
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["template", "--plan", "baise_2021_2023", "--out", str(tmp_path / "need.xlsx")])
    assert code == 2 and "need.xlsx: Permission denied" in err.getvalue()


@pytest.mark.parametrize("argv", [["probabilities", "--paths", "0"], ["probabilities", "--origin", "2040"]])
def test_bad_numbers_are_refused_up_front(argv):
    with pytest.raises(SystemExit) as exc, redirect_stderr(io.StringIO()):
        cli.build_parser().parse_args(argv)
    assert exc.value.code == 2


def test_a_bug_is_one_line_to_report_not_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("kjqg_model.reporting.template.write_template", broken)
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["template", "--plan", "baise_2021_2023", "--out", "x.xlsx"])
    assert code == 3 and "internal error: ZeroDivisionError" in err.getvalue() and "Traceback" not in err.getvalue()
