"""xiezuo (协作): plan production across a network of factories."""
