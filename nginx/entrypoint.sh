#!/bin/sh
# Starts the ban watcher when the program uploaded it (http.banAfterFails on, with basic-auth
# users), then becomes nginx. The watcher runs in a subshell that exits at once, so it belongs to
# the init process, not to nginx.
set -eu
if [ -x /usr/local/bin/video-server-bans ] && [ -f /etc/nginx/video-server/bans ]; then
  ( /usr/local/bin/video-server-bans nginx /var/log/nginx/auth-failures.log /etc/nginx/video-server/bans & )
fi
exec "$@"
