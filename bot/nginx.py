"""nginx in front of the desk replicas (HTTP and WebSocket) and of the action servers.

Any desk replica can serve any request: conversations live in PostgreSQL, pushes go through Redis.
A replica that does not answer is skipped; a request it never received goes to another one. A customer message
that carries its key in the Idempotency-Key header (the widget always sends it) goes to another replica also when
the first died with it in hand, since the desk stores a message once per key; so does the start of a conversation
(a repeat leaves at most an empty conversation nobody sees). Other POSTs are not repeated by nginx.
"""
from __future__ import annotations

from pathlib import Path


DESK_PROXY = """\
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
"""


def nginx_config(*, prefix: Path, desk_port: int, action_port: int, desks: list[int], actions: list[int],
                 listen: str = "127.0.0.1") -> str:
    desk_servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in desks)
    action_servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in actions)
    desk_proxy = DESK_PROXY.rstrip("\n")
    return f"""# Written by bot/processes.py for `bot run --replicas`; a production example is in the README.
worker_processes 1;
pid {prefix}/nginx.pid;

events {{
  worker_connections 4096;
}}

http {{
  access_log off;
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;

  # WebSocket upgrades pass through; plain requests keep the upstream connection alive.
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    '' '';
  }}

  upstream desk {{
{desk_servers}
    keepalive 64;
  }}

  upstream actions {{
{action_servers}
    keepalive 16;
  }}

  server {{
    listen {listen}:{desk_port};
    client_max_body_size 128k;  # the desk refuses more than 64 KB itself, with a Dutch message
    location / {{
      proxy_pass http://desk;
{desk_proxy}
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }}

    # A customer's message with its key in the Idempotency-Key header is retried on the other desk also after
    # it was sent (non_idempotent): the desk that died may have stored it, or even passed it to Rasa, but the
    # desk stores a message once per key and a repeat returns the stored answer, or sends a message that never
    # reached the bot on now (conversations/flows.py: receive, _replay). Without the header nginx cannot know
    # the body's key, so such a POST is not retried (it could be stored twice); the widget always sends it.
    location ~ ^/api/conversations/[^/]+/messages$ {{
      if ($http_idempotency_key != "") {{
        rewrite ^ /@keyed$uri last;
      }}
      proxy_pass http://desk;
{desk_proxy}
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }}

    # Starting a conversation is retried too: the worst a repeat leaves is an empty conversation that nobody was
    # given, which no list, report or export counts (an opened widget without a word is no contact).
    location = /api/conversations {{
      proxy_pass http://desk;
{desk_proxy}
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
    }}

    location ^~ /@keyed/ {{
      internal;
      rewrite ^/@keyed(/.*)$ $1 break;
      proxy_pass http://desk;
{desk_proxy}
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
    }}
  }}

  # Rasa calls the action servers here. Custom actions are safe to repeat (a return is registered
  # once), so a call may move to the other action server when the first one went away mid-call.
  server {{
    listen {listen}:{action_port};
    client_max_body_size 32m;  # Rasa sends the whole conversation with every action call
    client_body_buffer_size 1m;
    location / {{
      proxy_pass http://actions;
      proxy_http_version 1.1;
      proxy_set_header Connection '';
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 2;
    }}
  }}
}}
"""
