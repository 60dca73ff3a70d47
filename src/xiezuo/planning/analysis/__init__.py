"""Answers about a plan or a network beyond the schedule itself: why orders are late and
whether the material will be there (netting and pegging without a plan)."""
