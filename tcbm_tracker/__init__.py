"""TCBM Tracker: who implements the UN space TCBMs and the COPUOS LTS guidelines, with evidence."""

__version__ = "0.1.0"
