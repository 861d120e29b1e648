"""Point-in-time features and targets: ``build.build_modeling_table`` (canonical tables) and
``flat.load_flat_table`` (a table built elsewhere), both returning a ``build.ModelingTable``."""
