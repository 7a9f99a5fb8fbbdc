"""Resolve a plan's requirement set and record the answer (or the reason there is none) in it.

Shared by the in-place plan and the new-environment plan: both must resolve for the platform and
Python the environment will have, before any step exists, and both report an impossible set with
the resolver's own words.
"""

from __future__ import annotations

from typing import Callable, List, Optional

from keras_doctor.facts.model import Facts
from keras_doctor.plan.model import Plan, PlanStatus
from keras_doctor.plan.recommend import installed_versions
from keras_doctor.plan.resolve import Resolution

Resolver = Callable[..., Resolution]


def resolve_into(plan: Plan, requirements: List[str], facts: Facts, resolver: Resolver,
                  uv: Optional[str], python_version: Optional[str] = None,
                  platform: Optional[str] = None) -> bool:
    plan.requirements = list(dict.fromkeys(requirements))
    if not plan.requirements:
        plan.status = PlanStatus.UNRESOLVABLE
        plan.reason = ("no requirement set to resolve: no finding names an installed "
                       "distribution to repair, and no TensorFlow is installed to anchor on")
        return False
    in_place = python_version is None
    platform = platform or facts.target.platform
    result = resolver(plan.requirements, platform,
                      python_version or plan.target.python_version,
                      macos_version=facts.platform.os_version
                      if platform.startswith("macos") else None, uv=uv,
                      preferences={n: str(v) for n, v in installed_versions(facts).items()}
                      if in_place else None,
                      pip_python=facts.interpreter.executable
                      if "pip" in facts.interpreter.installers else None)
    plan.resolver, plan.resolver_limitation = result.resolver, result.limitation
    if not result.ok:
        plan.status = PlanStatus.UNRESOLVABLE
        plan.reason = result.error
        return False
    plan.resolved = dict(sorted(result.pins.items()))
    return True
