"""Plots of runs in pyqtgraph: drawn live in the window, and to PNG or SVG files by the window
and the command line alike. Qt, but no window: it never imports lrexplorer.gui."""
