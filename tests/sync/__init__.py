"""Tests of dlquiz.sync."""
