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
