"""opsbook: repost planning and daily consolidation inside the shop's Excel book.

The core (``schema``, ``settings``, ``planner``) is plain pandas/numpy and never
imports xlwings; ``opsbook.excel`` is the only package that does.
"""

__version__ = "0.1.0"
