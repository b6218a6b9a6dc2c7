"""Dialogs and file actions: export, sweeps and their summary, the range test, sessions and lesson
bundles."""
