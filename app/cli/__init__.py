"""Thin command-line commands over the same services the GUI uses."""
