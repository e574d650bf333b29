"""The demo dataset framework (演示数据): apps register ordered steps; `load_demo` runs them deterministically.

Every person and enterprise in the demo is fictional; regions are the real divisions of the demo city.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SCALES = ("small", "city", "province")


@dataclass
class DemoContext:
    """What a step needs: the scale, a seeded random generator, where to print, and what earlier steps made."""

    scale: str
    seed: int
    rng: random.Random
    write: Callable[[str], None]
    made: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: Callable[[DemoContext], None]


_steps: dict[str, DemoStep] = {}


def demo_step(name: str, order: int) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    """Register `run(ctx)` as the demo step `name`, run in ascending `order`."""

    def decorate(run: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        _steps[name] = DemoStep(name, order, run)
        return run

    return decorate


def steps() -> list[DemoStep]:
    """Return the registered steps in the order they run."""
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))


def step_rng(seed: int, name: str) -> random.Random:
    """Return a generator seeded by (seed, step name), so adding a step never changes another step's data."""
    return random.Random(f"{seed}:{name}")
