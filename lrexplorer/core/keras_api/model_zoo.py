"""The models a run can train, in plain Keras.

The exported script quotes this file's functions verbatim (inspect.getsource), so what the app
trains and what the script trains are the same code. Import it only through core/models.py,
which loads it after Keras.
"""

import keras


class SimpleDense(keras.layers.Layer):
    """The tutorial's hand-written dense layer: inputs @ W + b, no activation by default."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.W) + self.b)


def tutorial_model():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            SimpleDense(512),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def mlp_model():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def cnn_model():
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def flat_pixels(images):
    return images.reshape((len(images), 28 * 28)).astype("float32") / 255


def image_pixels(images):
    return images.reshape((len(images), 28, 28, 1)).astype("float32") / 255
