"""The loaded inputs (history, scenarios, vocabulary, plans), loaded once and shared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .data import History, load_history
from .errors import InputError
from .scenarios import Scenario, load_scenarios
from .targets import Plan, load_plans
from .vocab import Vocabulary, load_vocabulary


@dataclass(frozen=True, eq=False)
class Context:
    history: History
    scenarios: dict[str, Scenario]
    vocab: Vocabulary
    plans: dict[str, Plan]

    _default = None

    @classmethod
    def get(cls, history: History | None = None, history_dirs: tuple[Path, ...] = ()) -> Context:
        """The shipped inputs (cached), or the same with another history."""
        if history is None and history_dirs:
            history = load_history(list(history_dirs))
        if history is None:
            if Context._default is None:
                Context._default = cls(load_history(), load_scenarios(), load_vocabulary(), load_plans())
            return Context._default
        base = cls.get()
        return cls(history, base.scenarios, base.vocab, base.plans)

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
