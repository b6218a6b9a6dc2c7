"""Runs kept: the run record, the runs folder, sessions, and what a saved record must hold."""
