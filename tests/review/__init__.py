"""Tests of dlquiz.review."""
