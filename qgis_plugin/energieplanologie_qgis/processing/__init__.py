"""Processing provider and algorithms of the Energieplanologie plugin."""
