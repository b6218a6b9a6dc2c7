"""Many runs to answer one question: sweeps, classroom presets, the learning-rate range test and
curve smoothing."""
