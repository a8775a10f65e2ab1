"""The package's version (also `sim.__version__`)."""

__version__ = "0.1.0"
