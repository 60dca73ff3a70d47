"""Every exception xiezuo raises, as one tree.

::

    XiezuoError                 root: catch this once at each entry point
    ├── InputError(ValueError)  a file or request is malformed (source, location, problem)
    ├── ModelError(ValueError)  a domain rule is broken (lists every problem found)
    ├── StorageError            the server's stored data refuses a request
    │   ├── NotFoundError       no stored network, entity, plan or job of that name
    │   └── ConflictError       someone else saved first, or the entity already exists
    └── PlanningError           the engine was misused or built an invalid model: a bug

Infeasible or timed-out plans are results (``Plan.status``), never exceptions.
"""

from __future__ import annotations


class XiezuoError(Exception):
    """Root of every error xiezuo raises on purpose."""


class InputError(XiezuoError, ValueError):
    """A file or request is malformed.

    Parameters
    ----------
    source:
        The file name or request that held the bad input.
    location:
        Where inside it: a path such as ``orders[3].item`` or ``line 4, column 7``.
    problem:
        What is wrong, as a sentence a planner can act on.
    """

    def __init__(self, source: str, location: str, problem: str) -> None:
        self.source = source
        self.location = location
        self.problem = problem
        where = f"{source}: {location}" if location else source
        super().__init__(f"{where}: {problem}")


class ModelError(XiezuoError, ValueError):
    """One or more domain rules are broken; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str] | tuple[str, ...], source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        lead = f"{source}: " if source else ""
        if len(self.problems) == 1:
            message = f"{lead}{self.problems[0]}"
        else:
            listed = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{lead}{len(self.problems)} problems:\n{listed}"
        super().__init__(message)

    @classmethod
    def check(cls, problems: list[str], subject: str) -> None:
        """Raise one error listing ``problems`` about ``subject``, if there are any."""
        if problems:
            raise cls([f"{subject}: {p}" for p in problems])


class StorageError(XiezuoError):
    """The server's stored data refuses a request; the message says which and why."""


class NotFoundError(StorageError):
    """No stored network, entity, plan or job has the name asked for (HTTP 404)."""


class ConflictError(StorageError):
    """The request clashes with what is stored: a stale version, or an ID already taken
    (HTTP 409). Read the entity again and redo the change."""


class PlanningError(XiezuoError):
    """The engine was misused or built an invalid model. This is a bug, not a result."""
