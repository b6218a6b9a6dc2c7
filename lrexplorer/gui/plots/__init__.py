"""Plots: the live loss, accuracy and learning-rate plots and what they are drawn from, and the
range test's plot."""
