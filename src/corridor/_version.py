"""corridor's version, in a module of its own: the network cache keys on it without importing
the package's front door (``corridor/__init__.py``)."""

__version__ = "0.1.0"
