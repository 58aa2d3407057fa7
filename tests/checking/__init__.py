"""Tests of dlquiz.checking."""
