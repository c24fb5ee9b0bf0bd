"""Support for the tests and the benchmarks (never used by the running bot): databases to measure on.

Telegram's fakes (a fake Bot API, broadcast harnesses) live with the channel they fake, in
`bot.channels.telegram.testing`, since only that package may import `telegram`.
"""
