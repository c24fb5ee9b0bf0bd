"""The one built-in web server (aiohttp) for the bot's HTTP endpoints: health, Zalo's webhook, the
certificate check page. Parts add their routes; `python -m bot run` starts it when a part needs it."""
