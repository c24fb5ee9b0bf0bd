"""Reminders with a conscience and spaced review (issue 11): the policy, the due scan, the review deck."""
