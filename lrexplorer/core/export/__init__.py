"""Runs handed on: Keras code in every form, CSV, and lesson bundles."""
