"""The Qt window. Builds no Keras objects: it asks core/ and receives plain dataclasses."""
