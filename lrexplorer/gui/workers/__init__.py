"""Work off the GUI thread: the QThread worker, the Keras loader and the run controller."""
