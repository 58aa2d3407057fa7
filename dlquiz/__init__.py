"""dlquiz: spaced-repetition flashcards for the Deep Learning Specialization."""

__version__ = "0.1.0"
