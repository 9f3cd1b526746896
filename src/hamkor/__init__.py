"""hamkor: a workbench for a region's foreign economic cooperation."""

__version__ = "0.1.0"
