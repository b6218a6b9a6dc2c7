"""The controls a run is set up with: optimizer, learning rate, schedule, data, and
Start/Pause/Stop."""
