"""The desk: the hub between customers, the bot and human agents."""
