"""Checks for the lessons (filled in by the lesson that uses them)."""

__all__ = []
