"""Certificates anyone can check: what a code says (valid, revoked, not found) the same way in the bot,
on the command line and on the public page; and the digital-skills passport."""
