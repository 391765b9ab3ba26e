#!/bin/bash
# Bans across connections. An address with BAN_AFTER_FAILS failed logins within
# BAN_WINDOW_SECONDS is refused for BAN_SECONDS: vsftpd reads /etc/hosts.deny on every new
# connection (tcp_wrappers=YES) and refuses a listed address before its greeting. Every ban and
# unban is written to the container's output. Loopback and the bridge gateway are never banned:
# behind docker-proxy every client on the Docker host looks like the gateway.
#
# Usage: vsftpd-bans LOG SETTINGS (the settings file sets the three BAN_ numbers).
set -u
LOG=$1
# shellcheck source=/dev/null
. "$2"
# The tests point these at files of their own.
DENY=${VSFTPD_BANS_DENY:-/etc/hosts.deny}
ALLOW=${VSFTPD_BANS_ALLOW:-/etc/hosts.allow}
ROUTES=${VSFTPD_BANS_ROUTES:-/proc/net/route}
[ "$BAN_AFTER_FAILS" -gt 0 ] || exit 0

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

write_lists() {
  # No rule here: an allow rule would let a banned address past /etc/hosts.deny.
  echo "# Written by vsftpd-bans: empty on purpose." >"$ALLOW.new"
  {
    echo "# Written by vsftpd-bans: addresses banned after failed logins."
    for address in "${!banned[@]}"; do echo "vsftpd: $address"; done
  } >"$DENY.new"
  mv "$ALLOW.new" "$ALLOW"
  mv "$DENY.new" "$DENY"
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
    write_lists
    echo "vsftpd-bans: banned $address for $BAN_SECONDS s after ${#kept[@]} failed logins within $BAN_WINDOW_SECONDS s"
  else
    fails[$address]="${kept[*]}"
  fi
}

# Ends bans that are over and forgets failures older than the window, so memory stays bounded.
sweep() {
  local now=$1 address changed=0 last
  for address in "${!banned[@]}"; do
    if ((now >= banned[$address])); then
      unset "banned[$address]"
      changed=1
      echo "vsftpd-bans: unbanned $address"
    fi
  done
  ((changed)) && write_lists
  for address in "${!fails[@]}"; do
    last=${fails[$address]##* }
    ((now - last >= BAN_WINDOW_SECONDS)) && unset "fails[$address]"
  done
  return 0
}

write_lists
echo "vsftpd-bans: $BAN_AFTER_FAILS failed logins within $BAN_WINDOW_SECONDS s ban an address for $BAN_SECONDS s (never loopback or the gateway ${GATEWAY:-none})"
# The address is the last thing on the line: a user name cannot put a fake one after it.
failure='\] FAIL LOGIN: Client "([0-9A-Fa-f.:]+)"$'
swept=0
while :; do
  if IFS= read -r -t 1 line; then
    if [[ $line =~ $failure ]]; then
      printf -v now '%(%s)T' -1
      failed "${BASH_REMATCH[1]}" "$now"
    fi
  elif (($? <= 128)); then
    echo "vsftpd-bans: the log follower ended; bans stop" >&2
    exit 1
  fi
  printf -v now '%(%s)T' -1
  if ((now != swept)); then
    sweep "$now"
    swept=$now
  fi
done < <(tail -n 0 -F "$LOG" 2>/dev/null)
