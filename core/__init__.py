"""Vatra core: the platform every programme plugin stands on."""

__version__ = "0.1.0"
