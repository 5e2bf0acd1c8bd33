#!/usr/bin/env bash
# A private PostgreSQL cluster, run as an unprivileged user (PostgreSQL refuses to run as root).
#   pg.sh start DIR [--throwaway]   start (initialising if needed) and print DATABASE_URL for db "postgres"
#   pg.sh stop DIR                  stop it (the data stays unless it was a throwaway cluster)
# The port is chosen free once and remembered in DIR.port, so `make run` reuses it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:?usage: pg.sh start|stop DIR [--throwaway]}"
dir="${2:?usage: pg.sh start|stop DIR [--throwaway]}"
throwaway="${3:-}"
bindir="$(pg_bindir)"

# Runs a server binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root the cluster belongs to the postgres user, which must be able to reach the directory.
# If a parent is not traversable (a checkout under /root, say), the data lives under /var/lib
# and DIR becomes a symlink to it.
prepare_dir() {
  mkdir -p "$(dirname "$dir")"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "the postgres user is missing (is the postgresql package installed?)"
    if [ ! -e "$dir" ] && ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
      local real="/var/lib/helpdesk-postgres/$(printf '%s' "$dir" | sha256sum | cut -c1-16)"
      mkdir -p "$real"; ln -sfn "$real" "$dir"
    fi
    mkdir -p "$dir"; chown -R postgres: "$(readlink -f "$dir")"
  else
    mkdir -p "$dir"
  fi
  chmod 0700 "$(readlink -f "$dir")"
}

case "$cmd" in
  start)
    prepare_dir
    data="$(readlink -f "$dir")"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
        || as_owner "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
    fi
    port_file="$dir.port"
    [ -f "$port_file" ] || free_port > "$port_file"
    port="$(cat "$port_file")"
    opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c max_connections=300"
    [ "$throwaway" = --throwaway ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -o "$opts" start >/dev/null \
        || { tail -n 20 "$data/server.log" >&2; die "PostgreSQL did not start (log: $data/server.log)"; }
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -e "$dir" ] || exit 0
    data="$(readlink -f "$dir")"
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) die "unknown command $cmd" ;;
esac
