"""Fuzz categories of issue 13: one module per class of hostile or broken input."""
