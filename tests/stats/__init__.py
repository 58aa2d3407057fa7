"""Tests of dlquiz.stats."""
