"""Pure pandas/numpy: the data contract, settings, the plan, the day, insight."""
