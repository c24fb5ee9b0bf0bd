"""Help from a person: a resident asks, the helpers of their commune answer through the bot.

Channel-neutral: questions, claims, relays and escalation are rows and outbox messages here; each
channel only turns its buttons and replies into calls of `bot.helpdesk.desk`.
"""
