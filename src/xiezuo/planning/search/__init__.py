"""How plans are found: the constructive heuristic (first plan and hint), large-neighbourhood
search and tabu search around the incumbent, and the stability anchors of a replan."""
