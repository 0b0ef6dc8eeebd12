"""Who may enrol: age at registration within configurable limits (DOMAIN.md: 15-60 in an older guide)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AgeLimits:
    minimum: int = 15
    maximum: int = 60
    adult: int = 18  # under this, UU PDP treats the data as a child's: a guardian must consent


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True, slots=True)
class Eligibility:
    age: int
    within_limits: bool
    needs_guardian_consent: bool


def check_age(birth_date: dt.date, on: dt.date, limits: AgeLimits | None = None) -> Eligibility:
    limits = limits or AgeLimits()
    age = age_on(birth_date, on)
    return Eligibility(age, limits.minimum <= age <= limits.maximum, age < limits.adult)
