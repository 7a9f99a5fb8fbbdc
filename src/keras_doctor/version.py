"""keras-doctor's version, in a module of its own so that reading it imports nothing else.

The package's `__init__` also holds the IPython extension hooks; a module that only wants the
version (the facts document, the JSON report, the builder's manifest) imports it from here.
"""

__version__ = "0.1.0"
