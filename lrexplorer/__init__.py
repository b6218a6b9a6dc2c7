"""lrexplorer: explore how the optimizer and the learning rate shape neural-network training."""

__version__ = "0.1.0"
