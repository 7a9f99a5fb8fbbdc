"""keras-doctor: diagnose and repair broken Keras / TensorFlow installations, importing neither."""

from keras_doctor.version import __version__

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython):  # `%load_ext keras_doctor`; imported lazily
    from keras_doctor.ipython import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):
    from keras_doctor.ipython import unload_ipython_extension as unload

    unload(ipython)
