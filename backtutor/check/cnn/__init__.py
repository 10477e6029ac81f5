"""Checking a CNN's table of shapes, parameter counts and multiply-adds (an `architecture` file)."""
