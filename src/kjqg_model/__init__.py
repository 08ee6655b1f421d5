"""kjqg_model: probabilities of meeting Guangxi science-and-technology plan targets."""

__version__ = "0.1.0"

from .errors import InputError
from .evaluate import evaluate_targets
from .projection import Projection, forecast_series, project
from .whatif import required_growth, sensitivity

__all__ = [
    "InputError",
    "Projection",
    "evaluate_targets",
    "forecast_series",
    "project",
    "required_growth",
    "sensitivity",
]
