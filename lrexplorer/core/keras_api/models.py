"""Which models a run can train, and building them (Keras is loaded on first build)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from lrexplorer.core.keras_api.loader import keras


@dataclass(frozen=True)
class ModelInfo:
    title: str
    builder: str  # function name in core/model_zoo.py
    prepare: str  # pixel preparation function name in core/model_zoo.py
    linear: bool  # no non-linearity before the softmax


MODELS: dict[str, ModelInfo] = {
    "tutorial": ModelInfo(
        "Tutorial: SimpleDense(512) + Dense(10, softmax)", "tutorial_model", "flat_pixels", True
    ),
    "mlp": ModelInfo(
        "MLP: Dense(512, relu) + Dense(10, softmax)", "mlp_model", "flat_pixels", False
    ),
    "cnn": ModelInfo(
        "Small CNN: 2 x (Conv2D + pooling) + Dense(10)", "cnn_model", "image_pixels", False
    ),
}

LOSS = "sparse_categorical_crossentropy"
METRICS = ("accuracy",)


def zoo() -> ModuleType:
    """core/model_zoo.py, imported after Keras is loaded."""
    keras()
    return importlib.import_module("lrexplorer.core.keras_api.model_zoo")


def build_model(name: str) -> Any:
    """A fresh, uncompiled Keras model; its initial weights follow Keras's global seed."""
    return getattr(zoo(), MODELS[name].builder)()


def prepare_images(name: str, images: Any) -> Any:
    """uint8 images (N, 28, 28) as the float32 input the model expects, scaled to [0, 1]."""
    return getattr(zoo(), MODELS[name].prepare)(images)
