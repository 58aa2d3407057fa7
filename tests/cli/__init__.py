"""Tests of dlquiz.cli."""
