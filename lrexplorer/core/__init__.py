"""What a run is and how it trains: pure Python and Keras, never Qt."""
