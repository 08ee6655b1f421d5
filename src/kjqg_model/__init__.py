"""kjqg_model: probabilities of meeting Guangxi science-and-technology plan targets.

Layout: `inputs` (parameters as data), `engine` (models and simulation), `analysis` (probabilities,
what-if, backtest), `reporting` (tables, charts, briefs, explorer), `api` (the public functions,
which build the inputs the layers below take as arguments), and `cli`.
"""

__version__ = "0.1.0"

import importlib
import importlib.abc
import importlib.util
import sys
import types

# Module paths before the layout of inputs/engine/analysis/reporting (0.1.0) stay importable, as the
# same module objects (`import kjqg_model.data` gives kjqg_model.inputs.history); the four that held
# public functions give their new module's names with those functions beside them.
MOVED = {
    "errors": "inputs.errors", "files": "inputs.files", "units": "inputs.units", "vocab": "inputs.vocab",
    "data": "inputs.history", "targets": "inputs.targets", "scenarios": "inputs.scenarios",
    "analyst_series": "inputs.analyst_series", "plausibility": "inputs.plausibility",
    "locations": "inputs.locations", "context": "inputs.context", "template": "reporting.template",
    "drafting": "inputs.drafting", "simulate": "engine.streams", "trend": "engine.trend", "models": "engine.fit",
    "projection": "engine.projection", "outcomes": "analysis.outcomes", "evaluate": "analysis.evaluate",
    "whatif": "analysis.whatif", "readiness": "analysis.readiness", "results": "analysis.results",
    "backtest": "analysis.backtest", "scoring": "analysis.scoring", "benchmarks": "analysis.benchmarks",
    "plots": "reporting.plots", "report": "reporting.brief", "briefs": "reporting.batch",
    "explorer": "reporting.explorer", "pdf": "reporting.pdf", "fonts": "reporting.fonts",
    "outputs": "reporting.outputs", "provenance": "reporting.provenance", "tables": "reporting.tables",
}  # fmt: skip
PUBLIC_MOVED = {  # old module -> the public functions it held (0.1.0), now in api.py
    "evaluate": ("evaluate_targets",), "projection": ("project",), "whatif": ("required_growth", "sensitivity"),
    "backtest": ("run_backtest",),
}  # fmt: skip


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        old = fullname.removeprefix(f"{__name__}.")
        if fullname.startswith(f"{__name__}.") and old in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        old = spec.name.removeprefix(__name__ + ".")
        module = importlib.import_module(f"{__name__}.{MOVED[old]}")
        if old not in PUBLIC_MOVED:
            return module
        # the public functions these modules held now live in api.py: the old path gives both
        merged = types.ModuleType(spec.name, module.__doc__)
        merged.__dict__.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
        api = importlib.import_module(f"{__name__}.api")
        merged.__dict__.update({name: getattr(api, name) for name in PUBLIC_MOVED[old]})
        return merged

    def exec_module(self, module):
        pass  # the module it stands for is already executed


sys.meta_path.append(_OldPaths())

from .api import evaluate_targets, forecast_series, project, required_growth, run_backtest, sensitivity  # noqa: E402
from .engine.projection import Projection  # noqa: E402
from .inputs.errors import InputError  # noqa: E402

__all__ = [
    "InputError",
    "Projection",
    "evaluate_targets",
    "forecast_series",
    "project",
    "required_growth",
    "run_backtest",
    "sensitivity",
]
