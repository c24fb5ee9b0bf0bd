"""The Zalo Official Account channel: signed webhook events in, consultation messages out, the token pair
kept in the database. It speaks Zalo's HTTP API with aiohttp (there is no official Python SDK) and imports
nothing of `telegram`; the learning core imports nothing of it. What is known of the API, and what is not
confirmed, is in the README's "Zalo" section."""
