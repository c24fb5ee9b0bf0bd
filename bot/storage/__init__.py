"""Persistence: models, engine set-up, repositories and migrations."""
