"""The runs panel: every run in a table, to tick, compare, rename, annotate and delete."""
