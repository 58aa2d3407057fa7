"""Tests of dlquiz.render."""
