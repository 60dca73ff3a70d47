"""Planning from a status date: the situation progress leaves the network in, and the
history put back into the final schedule."""
