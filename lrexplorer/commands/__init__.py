"""Headless command-line verbs beyond run and export, one module each; cli.py registers them."""
