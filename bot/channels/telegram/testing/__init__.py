"""Fakes of Telegram for the tests and the benchmarks: a Bot API that answers like Telegram (in process
or over loopback HTTP), residents who tap its buttons, and broadcast harnesses."""
