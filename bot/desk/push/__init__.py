"""Live pushes to the widget and the agents' console, across desk replicas.

A push is an envelope {"to": "customer" | "agents", "conversation_id"?, "payload"}, or {"to": "signed_out",
"sessions"}: agents' sockets of ended sign-ins are closed on every replica. `Hub` holds this
replica's sockets and delivers envelopes to them; a relay carries envelopes to every replica (Redis
pub/sub when REDIS_URL is set, otherwise only this process). Pushes are hints, never the truth: every
message has a sequence number, clients resume from the last one they saw, and a heartbeat tells each
client the newest number, so a push lost with a dying replica or Redis is caught up within seconds.
"""
from bot.desk.push.hub import Hub
from bot.desk.push.relay import LocalRelay, RedisRelay, make_relay

__all__ = ["Hub", "LocalRelay", "RedisRelay", "make_relay"]
