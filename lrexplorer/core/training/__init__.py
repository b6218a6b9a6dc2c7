"""Training a run: the trainer, its control from other threads, the per-batch step log and the
events it reports."""
