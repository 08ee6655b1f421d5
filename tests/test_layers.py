"""The layers' contract: the engine and analysis functions take their inputs as arguments; only the
public functions (api.py), the CLI and the notebook-facing reporting objects load them."""

from __future__ import annotations

import ast
from pathlib import Path

import kjqg_model

SRC = Path(kjqg_model.__file__).parent
LOADERS = {"load_history", "load_scenarios", "load_vocabulary", "load_plans", "load_parameters"}


def _global_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("get", "_default")
            and getattr(node.value, "id", "") == "Context"
        ):
            found.append(f"{path.name}:{node.lineno} Context.{node.attr}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in LOADERS:
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}()")
    return found


def test_no_engine_or_analysis_function_loads_or_reads_the_global_inputs():
    modules = sorted((SRC / "engine").glob("*.py")) + sorted((SRC / "analysis").glob("*.py"))
    assert len(modules) > 8
    assert [hit for m in modules for hit in _global_reads(m)] == []


def test_the_check_sees_a_global_read():
    # the public layer does build the inputs: the check must find it there, or it proves nothing
    assert any("Context.get" in hit for hit in _global_reads(SRC / "api.py"))


def test_old_module_paths_still_give_their_names_and_the_public_functions():
    import kjqg_model.data
    from kjqg_model.backtest import INDICATORS, run_backtest
    from kjqg_model.evaluate import evaluate_targets, fit_geos
    from kjqg_model.projection import GeoModel, project
    from kjqg_model.whatif import required_growth, sensitivity

    import kjqg_model.inputs.history
    from kjqg_model import api

    assert kjqg_model.data is kjqg_model.inputs.history
    assert (evaluate_targets, project, required_growth, sensitivity, run_backtest) == (
        api.evaluate_targets,
        api.project,
        api.required_growth,
        api.sensitivity,
        api.run_backtest,
    )
    assert callable(fit_geos) and callable(GeoModel) and INDICATORS
