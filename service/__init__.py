"""conflict-ld: a research profile of an armed actor, published as validated Linked Data."""

__version__ = "0.1.0"
