from energieplanologie.cli import script

script()
