"""Parts of the plan validator; its entry points are in :mod:`xiezuo.planning.validate`.

Like the validator, nothing here imports the engine: a judge that shares code with what
it judges would share its bugs.
"""
