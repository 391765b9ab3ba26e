#!/usr/bin/env bash
# Makes the image debian:trixie-slim (Debian 13) on the local Docker engine when it is missing.
#
# No image registry is reachable from these machines, but Debian's apt mirror is: the root file
# system comes from `debootstrap --variant=minbase trixie` against the mirror this host's apt
# uses, is trimmed like the official slim image, and is loaded with `docker import`. The project's
# Dockerfiles then build unchanged, and `apt-get update && apt-get install` inside `docker build`
# reaches the same mirror.
#
# The tarball is cached outside the repository, so a second run (or a fresh engine) imports it
# again without debootstrapping. The cache is remade when the host's apt sources change.
#
# Environment:
#   IMAGE           image to make                     (default debian:trixie-slim)
#   CACHE_DIR       where the tarball is kept          (default /var/cache/video-server)
#   DEBIAN_MIRROR   use this mirror instead of the one in /etc/apt (e.g. http://mirror/debian)
#   DOCKER          docker client                      (default: docker on PATH)
set -euo pipefail

IMAGE=${IMAGE:-debian:trixie-slim}
SUITE=trixie
CACHE_DIR=${CACHE_DIR:-/var/cache/video-server}
TARBALL="$CACHE_DIR/debian-$SUITE-slim.tar"
SOURCES_USED="$TARBALL.sources" # the apt sources baked into the cached tarball
DOCKER=${DOCKER:-docker}

say() { echo "base-image: $*" >&2; }
die() { say "error: $*"; exit 1; }

command -v "$DOCKER" >/dev/null || die "no docker client; install it with: apt-get install docker.io"
"$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no Docker engine answers; start one (dockerd, as root) and try again"

if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE is already present"
  exit 0
fi

# --- Which mirror: the host's apt sources -----------------------------------------------------

# Prints "URI SUITE" for every enabled `deb` source with component main whose suite is the host's
# release, its -updates or its -security, in both the one-line (.list) and deb822 (.sources)
# formats. Suites are renamed to the image's (trixie), so a host of another release still gives its mirror.
host_sources() {
  local codename
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-$SUITE}")
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v host="$codename" -v suite="$SUITE" '
    function emit(uri, s) {
      if (s == host || s == host "-updates" || s == host "-security") {
        sub("^" host, suite, s); sub("/+$", "", uri); print uri, s
      }
    }
    function flush(   i, j, u, s, nu, ns) {
      if (types ~ /(^| )deb( |$)/ && comps ~ /(^| )main( |$)/ && tolower(enabled) != "no") {
        nu = split(uris, u, " "); ns = split(suites, s, " ")
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) emit(u[i], s[j])
      }
      types = uris = suites = comps = enabled = ""
    }
    FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
    /^[ \t]*#/ { next }
    deb822 && /^[ \t]*$/ { flush(); next }
    deb822 {
      key = tolower($1); $1 = ""; sub(/^ +/, "")
      if (key == "types:") types = $0
      else if (key == "uris:") uris = $0
      else if (key == "suites:") suites = $0
      else if (key == "components:") comps = $0
      else if (key == "enabled:") enabled = $0
      next
    }
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }  # skip [options]
      for (c = i + 2; c <= NF; c++) if ($c == "main") { emit($i, $(i + 1)); break }
    }
    END { flush() }
  ' "${files[@]}" | awk '!seen[$0]++'
}

if [ -n "${DEBIAN_MIRROR:-}" ]; then
  SOURCES=$(printf '%s %s\n%s %s\n' "${DEBIAN_MIRROR%/}" "$SUITE" "${DEBIAN_MIRROR%/}" "$SUITE-updates")
else
  SOURCES=$(host_sources)
fi
MIRROR=$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$SOURCES")
[ -n "$MIRROR" ] || die "no Debian '$SUITE' (or this host's release) source with component main in /etc/apt/sources.list(.d); set DEBIAN_MIRROR=http://<mirror>/debian"

# The image's apt sources, deb822 like the official image: one stanza per mirror.
image_sources() {
  awk '
    !($1 in suites) { order[++n] = $1; suites[$1] = $2; next }
    { suites[$1] = suites[$1] " " $2 }
    END {
      for (i = 1; i <= n; i++) {
        if (i > 1) print ""
        print "Types: deb"; print "URIs: " order[i]; print "Suites: " suites[order[i]]
        print "Components: main"; print "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
      }
    }' <<<"$SOURCES"
}
WANTED_SOURCES=$(image_sources)

# --- Cache: debootstrap once ------------------------------------------------------------------

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock 9 # one debootstrap at a time; a second caller waits, then imports the cached tarball

# Writes the trimmed root file system of the image into $1.
make_rootfs() {
  local root=$1
  command -v debootstrap >/dev/null || die "debootstrap is missing; install it with: apt-get install debootstrap"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  local log="$CACHE_DIR/debootstrap.log"
  say "debootstrap --variant=minbase $SUITE from $MIRROR (about a minute, once; log: $log) ..."
  debootstrap --variant=minbase --components=main "$SUITE" "$root" "$MIRROR" >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "debootstrap failed (full log: $log)"; }

  rm -f "$root/etc/apt/sources.list"
  printf '%s\n' "$WANTED_SOURCES" >"$root/etc/apt/sources.list.d/debian.sources"

  # The official image's apt and dpkg settings: no caches or translations in layers, no docs.
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{info,linda,lintian/overrides,locale,man}/*

  # Leftovers of the bootstrap; Docker provides resolv.conf, hostname and hosts at run time.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
    "$root"/var/log/bootstrap.log "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
}

if [ -f "$TARBALL" ] && [ "$(cat "$SOURCES_USED" 2>/dev/null)" = "$WANTED_SOURCES" ]; then
  say "using the cached root file system $TARBALL"
else
  [ -f "$TARBALL" ] && say "the apt sources changed since $TARBALL was made; making it again"
  work=$(mktemp -d /var/tmp/video-server-rootfs.XXXXXX)
  trap 'rm -rf "$work" "$TARBALL.tmp" "$SOURCES_USED.tmp"' EXIT
  make_rootfs "$work/rootfs"
  tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$TARBALL.tmp" .
  printf '%s\n' "$WANTED_SOURCES" >"$SOURCES_USED.tmp"
  mv "$TARBALL.tmp" "$TARBALL"
  mv "$SOURCES_USED.tmp" "$SOURCES_USED"
  rm -rf "$work"
  trap - EXIT
  say "cached $TARBALL ($(du -h "$TARBALL" | cut -f1))"
fi

# --- Import -----------------------------------------------------------------------------------

"$DOCKER" import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL org.opencontainers.image.description=\"debootstrap --variant=minbase $SUITE, made by video-server scripts/base-image.sh\"" \
  --message "debootstrap --variant=minbase $SUITE $MIRROR" \
  "$TARBALL" "$IMAGE" >/dev/null
say "imported $IMAGE (apt sources: $(awk '{ print $1 " " $2 }' <<<"$SOURCES" | paste -sd, -))"
