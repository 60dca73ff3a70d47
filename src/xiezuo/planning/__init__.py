"""The planning engine, grouped by concern.

``solve.plan`` is the entry point (a validated network in, a ``Plan`` out) and ``params``
what the caller controls. Underneath: ``problem`` (compile to indices and minutes, and
back), ``model`` (the CP-SAT model), ``search`` (heuristic, LNS, tabu, stability),
``replan`` (situation and history of a replan) and ``analysis`` (explanations, netting).
``validation`` is the independent judge: it imports none of the others (an import-linter
contract holds it to that).
"""
