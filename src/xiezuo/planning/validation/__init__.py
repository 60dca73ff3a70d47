"""The independent judge of a schedule: :mod:`audit` re-derives every rule from the domain.

Nothing here imports the engine (no OR-Tools, no compiled problem, no search): a judge
that shares code with what it judges would share its bugs. An import-linter contract
holds the package to that.
"""
