#!/bin/sh
# Adds the virtual users' accounts, starts the log relay for internal-sftp, streams the SFTP log
# to the container's output, starts the ban watcher, then runs sshd until it is told to stop.
set -eu

CONFIG=/etc/ssh/video-server/sshd_config
ACCOUNTS=/etc/ssh/video-server/accounts
SOCKETS=/etc/ssh/video-server/log-sockets
LOG=/var/log/vsftpd/sftp.log
# Past this size the log is rotated (below), as vsftpd's: the media worker reads it.
LOG_MAX_BYTES=8388608

# The program uploads one passwd line per virtual user (uid 2121, home = its chroot). The image's
# own file is kept aside, so a restart starts from it again; a name the image already has would
# be found first by sshd and log in as that account instead, so it stops the container.
while IFS=: read -r name _; do
  if grep -q "^$name:" /etc/passwd.image; then
    echo "sftp-entrypoint: user '$name' is an account of the image; rename it in ftp.users" >&2
    exit 1
  fi
done < "$ACCOUNTS"
cat /etc/passwd.image "$ACCOUNTS" > /etc/passwd

# sshd's privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd

# The log file lives on the FTP log volume beside vsftpd's. Its follower and the rotation belong
# to init, not to this shell or sshd (see vsftpd/entrypoint.sh). Past its size limit the log is
# copied to sftp.log.1 and emptied in place; the relay appends (O_APPEND), tail -F follows.
mkdir -p "$(dirname "$LOG")"
touch "$LOG"
( tail -n 0 -F "$LOG" & )
( while sleep 10; do
    [ "$(stat -c %s "$LOG")" -le "$LOG_MAX_BYTES" ] || { cp "$LOG" "$LOG.1" && : >"$LOG"; }
  done & )
# Sockets at <root>/dev/log, where chrooted sessions send their lines; restarted if it stops.
( while :; do /usr/local/bin/video-server-sftp-log "$SOCKETS" "$LOG" || true; sleep 1; done & )
tries=0
for socket in $(cut -d' ' -f2 "$SOCKETS"); do
  while [ ! -S "$socket" ]; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { echo "sftp-entrypoint: no log socket $socket" >&2; exit 1; }
    sleep 0.1
  done
done

# sshd -e writes its own lines (logins, refusals) to stderr, ending in CR LF. The health probe
# connects from 127.0.0.1 inside the container, an address no client has: its line is dropped.
rm -f /run/sshd.stderr
mkfifo -m 0600 /run/sshd.stderr
# The ban watcher follows a copy of them (AUTH_LOG) for failed logins.
AUTH_LOG=/var/log/sshd-auth.log
touch "$AUTH_LOG"
( sed -u -E -e 's/\r$//' \
    -e '/^Connection (closed|reset) by 127\.0\.0\.1 port [0-9]+( \[preauth\])?$/d' \
    </run/sshd.stderr | tee -a "$AUTH_LOG" >&2 & )

# sshd's included ban list, empty at first: on a swarm it is no read-only config (the watcher
# replaces it), so it is made here before sshd reads it.
if [ -f /etc/ssh/video-server/bans ] && [ ! -e /etc/ssh/video-server/bans.conf ]; then
  printf '# No address is banned.\n' >/etc/ssh/video-server/bans.conf
fi

# On SIGTERM the listener goes first, so no new session starts, and the sessions in progress get
# the container's stop grace to finish their transfers (and log their close lines).
/usr/sbin/sshd -D -e -f "$CONFIG" 2>/run/sshd.stderr &
listener=$!
# SIGHUP makes sshd exec itself with the new bans, keeping its pid.
echo "$listener" >/run/sshd.listener.pid
# Bans across connections: the program uploads the watcher and its settings when they are on.
if [ -x /usr/local/bin/video-server-bans ] && [ -f /etc/ssh/video-server/bans ]; then
  ( /usr/local/bin/video-server-bans sshd "$AUTH_LOG" /etc/ssh/video-server/bans & )
fi
drain() {
  kill -TERM "$listener" 2>/dev/null || true
  while grep -qxE 'sshd|sshd-session|sshd-auth' /proc/[0-9]*/comm 2>/dev/null; do sleep 1; done
  exit 0
}
trap drain TERM INT
wait "$listener"
