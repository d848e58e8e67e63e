"""The cleaner's version, recorded in every Article (bump it when cleaning output changes)."""

__version__ = "0.1.0"
