"""The CP-SAT model: typed variable records, one function per constraint family, the
objective terms, and :mod:`build`, which assembles, hints and reads back a model."""
