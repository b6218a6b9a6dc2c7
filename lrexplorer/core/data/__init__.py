"""The digits a run trains on: Keras's datasets, downloads, local files and the bundled sample."""
