"""The validator's finding: one broken rule, named so tests and reports can group them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One broken rule: ``rule`` is a short tag, ``subject`` names the culprit."""

    rule: str
    subject: str
    message: str
