"""Maintainers' tools: what sets up, checks and measures the course, kept apart from the chapters' code."""
