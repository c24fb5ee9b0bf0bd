"""A chat bot that teaches residents basic digital skills in short lessons with quizzes."""

__version__ = "0.1.0"
