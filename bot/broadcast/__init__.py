"""Broadcasts: officers push a lesson invitation or an announcement to residents.

- `audience`  who is reached: a short spec ("commune:nghia-ta") turned into one SQL query.
- `schedule`  when: local time, quiet hours.
- `content`   what each resident sees, in their own language.
- `service`   create / preview / pause / resume / cancel / resend / report, for the CLI and Telegram.
- `outbox`    the persisted outbox the sender works from: claim, record, finish.
- `pacing`    a shared send clock at BROADCAST_RATE with a global pause on 429.
- `sender`    the paced sender that runs inside `python -m bot run`.

Nothing here imports `telegram`: the sender talks to a small `Transport` protocol.
"""
