"""A local, private interview coach.

Importing the package loads nothing: models, stores and settings are created
by :func:`coach.app.build` when a command or the page asks for them.
"""

__version__ = "0.1.0"
