"""keras-doctor: diagnose and repair broken Keras / TensorFlow installations without importing them."""

__version__ = "0.1.0"
