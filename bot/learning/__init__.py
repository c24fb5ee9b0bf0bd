"""The learner's journey: events in, replies out. Knows nothing about any chat platform."""
