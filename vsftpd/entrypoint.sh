#!/bin/sh
# Prepares the media folders listed in /etc/vsftpd/folders, streams vsftpd's log to the
# container's output, starts the ban watcher, then runs vsftpd until it is told to stop.
set -eu

MEDIA_ROOT=/srv/media
FOLDERS=/etc/vsftpd/folders
LOG=/var/log/vsftpd/vsftpd.log
GUEST=vsftpd-media
# Past this size the log is rotated (below); it lives on a volume when the media worker reads it.
LOG_MAX_BYTES=8388608

while read -r kind dir; do
  path="$MEDIA_ROOT/$dir"
  case "$kind" in
    chroot)
      # vsftpd refuses a chroot its user can write to.
      mkdir -p "$path"
      if [ "$(stat -c %U "$path")" = "$GUEST" ]; then chown root:root "$path"; fi
      chmod go-w "$path"
      ;;
    published)
      # A verified location's folder: the media worker (root) publishes into it, FTP users only
      # read. Files the FTP user wrote before the location was verified become root's too, so
      # none can be rewritten in place while it is served (after the first start: nothing to do).
      mkdir -p "$path"
      find "$path" \( -path "$path/.incoming" -o -path "$path/.rejected" \) -prune \
        -o -user "$GUEST" -exec chown root:root {} +
      chmod 0755 "$path"
      ;;
    writable)
      mkdir -p "$path"
      chown "$GUEST:$GUEST" "$path"
      chmod 0755 "$path"
      ;;
    "") ;;
    *) echo "vsftpd-entrypoint: unknown folder kind '$kind' in $FOLDERS" >&2; exit 1 ;;
  esac
done < "$FOLDERS"

# vsftpd cannot open /dev/stdout as its log file inside a container: log to a file, follow it.
# The follower runs in a subshell that exits at once, so it belongs to the init process (PID 1),
# not to vsftpd: vsftpd crashes (SIGSEGV) when it reaps a child it did not fork.
# Health probes connect from 127.0.0.1 inside the container, an address no client has, so their
# CONNECT lines stay out of the container's output. Past its size limit the log is copied to
# vsftpd.log.1 and emptied in place (vsftpd keeps it open and appends, O_APPEND; tail -F follows
# the truncation): at most twice the limit on disk. The media worker, which follows the log for
# completed uploads, reads the rest of the old log from the copy.
mkdir -p "$(dirname "$LOG")"
touch "$LOG"
( tail -n 0 -F "$LOG" | grep --line-buffered -v ' CONNECT: Client "127\.0\.0\.1"$' & )
( while sleep 10; do
    [ "$(stat -c %s "$LOG")" -le "$LOG_MAX_BYTES" ] || { cp "$LOG" "$LOG.1" && : >"$LOG"; }
  done & )
# Bans across connections: the program uploads the watcher and its settings when they are on.
if [ -x /usr/local/bin/video-server-bans ] && [ -f /etc/vsftpd/bans ]; then
  ( /usr/local/bin/video-server-bans vsftpd "$LOG" /etc/vsftpd/bans & )
fi

# On SIGTERM (docker stop, a replacement) the listener goes first, so no new session starts, and
# the sessions in progress get the container's stop grace to finish their transfers. This shell
# waits only for the listener it started; the sessions belong to it, and to init once it exits.
vsftpd /etc/vsftpd.conf &
listener=$!
drain() {
  kill -TERM "$listener" 2>/dev/null || true
  while grep -qx vsftpd /proc/[0-9]*/comm 2>/dev/null; do sleep 1; done
  exit 0
}
trap drain TERM INT
wait "$listener"
