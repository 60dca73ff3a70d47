"""The dense problem the engine works on, and the way back.

:mod:`compile` turns a validated network (and, for a replan, its situation) into integer
minutes and indices; :mod:`extract` turns an engine solution back into the domain's
schedule. These two are the only modules that know both IDs and indices; working
windows (:mod:`timeline`) and precedence bounds (:mod:`bounds`) are computed here once
for the model, the heuristics and the explanations alike.
"""
