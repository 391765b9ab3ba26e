#!/bin/sh
# Starts the ban watcher when the program uploaded it (http.banAfterFails on, with basic-auth
# users), then becomes nginx. The watcher runs in a subshell that exits at once, so it belongs to
# the init process, not to nginx.
set -eu
if [ -x /usr/local/bin/video-server-bans ] && [ -f /etc/nginx/video-server/bans ]; then
  # The list nginx includes, empty at first: on a swarm it is no read-only config (the watcher
  # replaces it), so it is made here.
  [ -e /etc/nginx/video-server/bans.conf ] || printf '# No address is banned.\n' >/etc/nginx/video-server/bans.conf
  ( /usr/local/bin/video-server-bans nginx /var/log/nginx/auth-failures.log /etc/nginx/video-server/bans & )
fi
exec "$@"
