"""Everything that reads Keras: the lazy loader, the optimizer and schedule registries, models, and
checking a config against them."""
