"""Signed exchange packages (``.tcbm``) between copies that never meet a network.

``api`` is the public module; ``trust`` keeps the trust list, ``writer`` builds packages,
``reader`` checks them, ``merge`` plans and applies imports.
"""
