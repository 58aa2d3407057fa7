"""Tests of dlquiz.export."""
