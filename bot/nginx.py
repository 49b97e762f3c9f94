"""nginx in front of the desk replicas (HTTP and WebSocket) and of the action servers.

Any desk replica can serve any request: conversations live in PostgreSQL, pushes go through Redis.
A replica that does not answer is skipped; a request it never received goes to another one, and a
customer message whose answer was lost is sent again by the widget with the same key (stored once).
"""
from __future__ import annotations

from pathlib import Path


def nginx_config(*, prefix: Path, desk_port: int, action_port: int, desks: list[int], actions: list[int],
                 listen: str = "127.0.0.1") -> str:
    desk_servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in desks)
    action_servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in actions)
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
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_502 http_503;
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
