"""The loaded inputs (history, scenarios, vocabulary, plans), loaded once and shared."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import InputError
from .history import History, load_history
from .scenarios import Scenario, load_scenarios
from .targets import Plan, load_plans
from .vocab import Vocabulary


@dataclass(frozen=True, eq=False)
class Context:
    history: History
    scenarios: dict[str, Scenario]
    vocab: Vocabulary  # shipped indicators, those declared beside the analysts' data, and the plans' analyst series
    plans_dirs: tuple[Path, ...] = ()

    @cached_property
    def plans(self) -> dict[str, Plan]:
        """The shipped plans and the analysts' (`--plans`), loaded when first needed."""
        return load_plans(vocabulary=self.vocab, extra_dirs=self.plans_dirs)

    _default = None

    @classmethod
    def get(cls, history: History | None = None, history_dirs=(), plans_dirs=()) -> Context:
        """The shipped inputs (cached), or the same with analysts' history folders (`--history`) or a
        loaded History, and analysts' plan folders (`--plans`)."""
        # one folder given as a string is one folder, not a folder per character
        history_dirs, plans_dirs = (
            tuple(map(Path, [d] if isinstance(d, str | Path) else d)) for d in (history_dirs, plans_dirs)
        )
        if history is None and not history_dirs and not plans_dirs:
            if Context._default is None:
                Context._default = cls._build(load_history(), ())
            return Context._default
        return cls._build(history or load_history(history_dirs, plans_dirs=plans_dirs), plans_dirs)

    @classmethod
    def _build(cls, history: History, plans_dirs: tuple[Path, ...]) -> Context:
        return cls(history, load_scenarios(), history.vocab, plans_dirs)

    def scenario(self, name: str | Scenario) -> Scenario:
        """A shipped scenario by name, or an analyst's own Scenario object as it is."""
        if isinstance(name, Scenario):
            return name
        if name not in self.scenarios:
            raise InputError.single("scenario", repr(name), "one of " + ", ".join(self.scenarios))
        return self.scenarios[name]

    def plan(self, name: str) -> Plan:
        if name not in self.plans:
            raise InputError.single("plan", repr(name), "one of " + ", ".join(self.plans))
        return self.plans[name]
