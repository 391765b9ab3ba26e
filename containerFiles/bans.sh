#!/bin/bash
# Bans across connections, for vsftpd, nginx or sshd. An address with BAN_AFTER_FAILS failed logins
# within BAN_WINDOW_SECONDS is refused for BAN_SECONDS. Every ban and unban is written to the
# container's output. Loopback and the bridge gateway are never banned: behind docker-proxy
# every client on the Docker host looks like the gateway.
#
# Usage: video-server-bans vsftpd|nginx|sshd LOG SETTINGS (the program renders SETTINGS: the three
# BAN_ numbers, the list file, and for vsftpd the allow file, for nginx the reload command, for
# sshd the file holding the pid to send SIGHUP)
# - vsftpd: LOG is vsftpd's log (`FAIL LOGIN: Client "<address>"` lines); the bans go to
#   /etc/hosts.deny, which vsftpd reads on every connection (tcp_wrappers=YES).
# - nginx: LOG has one address per failed basic-auth request (a log_format of its own); the
#   bans go to the geo file nginx.conf includes, and nginx reloads. The watcher keeps LOG small.
# - sshd: LOG has sshd's own lines (`Failed password for … from <address> port <n> ssh2`); the
#   bans go to a `DenyUsers *@<address>` file sshd_config includes, and sshd rereads its config
#   on SIGHUP (sessions in progress go on). The watcher keeps LOG small.
set -u
MODE=$1
LOG=$2
# shellcheck source=/dev/null
. "$3"
[ "$BAN_AFTER_FAILS" -gt 0 ] || exit 0
LIST=$BAN_LIST_FILE
ALLOW=${BAN_ALLOW_FILE:-}
RELOAD=${BAN_RELOAD:-}
RELOAD_PID_FILE=${BAN_RELOAD_PID_FILE:-}
ROUTES=${BAN_ROUTES_FILE:-/proc/net/route}
case "$MODE" in
  vsftpd)
    # The address is the last thing on the line: a user name cannot put a fake one after it.
    failure='\] FAIL LOGIN: Client "([0-9A-Fa-f.:]+)"$'
    ;;
  nginx)
    # nginx's own format for this log: the address alone, nothing a client sends.
    failure='^([0-9A-Fa-f.:]+)$'
    ;;
  sshd)
    # Anchored at the end, after the user name the client chose: a name cannot carry a fake address.
    failure='^Failed (password|none) for .* from ([0-9A-Fa-f.:]+) port [0-9]+ ssh2$'
    ;;
  *)
    echo "video-server-bans: unknown mode '$MODE'" >&2
    exit 2
    ;;
esac
LOG_MAX_BYTES=1048576

# The default route's gateway, from /proc/net/route (hex, least significant byte first).
gateway() {
  local iface dest gw rest
  while read -r iface dest gw rest; do
    if [ "$dest" = 00000000 ]; then
      printf '%d.%d.%d.%d\n' "0x${gw:6:2}" "0x${gw:4:2}" "0x${gw:2:2}" "0x${gw:0:2}"
      return
    fi
  done <"$ROUTES"
}
GATEWAY=$(gateway)

declare -A fails=()  # address -> times of its failed logins within the window
declare -A banned=() # address -> time its ban ends

# Writes the ban list (and for vsftpd an empty allow list: an allow rule would let a banned
# address past the deny list); `reload` also tells the server.
write_lists() {
  local address
  {
    echo "# Written by video-server-bans: addresses banned after failed logins."
    if [ "$MODE" = sshd ]; then
      # One line: sshd takes the first DenyUsers it reads, and none at all when nobody is banned.
      if [ "${#banned[@]}" -gt 0 ]; then printf 'DenyUsers'; printf ' *@%s' "${!banned[@]}"; echo; fi
    fi
    for address in "${!banned[@]}"; do
      case "$MODE" in
        vsftpd) echo "vsftpd: $address" ;;
        nginx) echo "$address 1;" ;;
      esac
    done
  } >"$LIST.new"
  if [ -n "$ALLOW" ]; then
    echo "# Written by video-server-bans: empty on purpose." >"$ALLOW.new"
    mv "$ALLOW.new" "$ALLOW"
  fi
  mv "$LIST.new" "$LIST"
  if [ "${1:-}" = reload ] && [ -n "$RELOAD" ]; then
    $RELOAD >/dev/null 2>&1 || echo "video-server-bans: '$RELOAD' failed" >&2
  fi
  if [ "${1:-}" = reload ] && [ -n "$RELOAD_PID_FILE" ]; then
    kill -HUP "$(cat "$RELOAD_PID_FILE" 2>/dev/null)" 2>/dev/null ||
      echo "video-server-bans: no process to reload in $RELOAD_PID_FILE" >&2
  fi
}

exempt() { [[ $1 == 127.* || $1 == ::1 || $1 == "$GATEWAY" ]]; }

failed() {
  local address=$1 now=$2 t
  local -a kept=()
  exempt "$address" && return
  [ -n "${banned[$address]:-}" ] && return
  for t in ${fails[$address]:-}; do
    ((now - t < BAN_WINDOW_SECONDS)) && kept+=("$t")
  done
  kept+=("$now")
  if ((${#kept[@]} >= BAN_AFTER_FAILS)); then
    unset "fails[$address]"
    banned[$address]=$((now + BAN_SECONDS))
    write_lists reload
    echo "video-server-bans: banned $address for $BAN_SECONDS s after ${#kept[@]} failed logins within $BAN_WINDOW_SECONDS s"
  else
    fails[$address]="${kept[*]}"
  fi
}

# Ends bans that are over, forgets failures older than the window (so memory stays bounded),
# and keeps nginx's and sshd's logs small (tail -F follows the truncation).
sweep() {
  local now=$1 address changed=0 last
  for address in "${!banned[@]}"; do
    if ((now >= banned[$address])); then
      unset "banned[$address]"
      changed=1
      echo "video-server-bans: unbanned $address"
    fi
  done
  ((changed)) && write_lists reload
  for address in "${!fails[@]}"; do
    last=${fails[$address]##* }
    ((now - last >= BAN_WINDOW_SECONDS)) && unset "fails[$address]"
  done
  if [ "$MODE" != vsftpd ] && [ "$(stat -c %s "$LOG" 2>/dev/null || echo 0)" -gt "$LOG_MAX_BYTES" ]; then
    : >"$LOG"
  fi
  return 0
}

touch "$LOG"
write_lists
echo "video-server-bans: $BAN_AFTER_FAILS failed logins within $BAN_WINDOW_SECONDS s ban an address for $BAN_SECONDS s (never loopback or the gateway ${GATEWAY:-none})"
swept=0
while :; do
  if IFS= read -r -t 1 line; then
    if [[ $line =~ $failure ]]; then
      printf -v now '%(%s)T' -1
      # The address is the last group: sshd's pattern has one before it.
      failed "${BASH_REMATCH[${#BASH_REMATCH[@]} - 1]}" "$now"
    fi
  elif (($? <= 128)); then
    echo "video-server-bans: the log follower ended; bans stop" >&2
    exit 1
  fi
  printf -v now '%(%s)T' -1
  if ((now != swept)); then
    sweep "$now"
    swept=$now
  fi
done < <(tail -n 0 -F "$LOG" 2>/dev/null)
