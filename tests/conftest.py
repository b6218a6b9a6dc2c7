"""Test session set-up: headless Qt, quiet TensorFlow, and no network or user files touched."""

import os
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Any accidental download goes to a closed local port and fails at once.
os.environ["LREXPLORER_DATA_MIRROR"] = "http://127.0.0.1:9/"
# Keras's dataset cache: never the user's, never shared between test sessions.
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="lrexplorer-keras-home-")
