"""Tests of dlquiz.decks."""
