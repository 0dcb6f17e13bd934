"""Tool-N1 training backend: reward, formats, trainer, events, export."""

__version__ = "0.1.0"
