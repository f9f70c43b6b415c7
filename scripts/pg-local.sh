#!/usr/bin/env bash
# A PostgreSQL server for one user, in a folder, on 127.0.0.1 only: for
# trying distributed studies on one machine and for the tests.
#   scripts/pg-local.sh start DIR [PORT]   initdb if needed, start; prints the study URL
#   scripts/pg-local.sh stop DIR           stop it (the data stays in DIR)
# PostgreSQL refuses to run as root: as root, the server runs as `nobody`.
# Every connection needs a password (scram-sha-256), also on the local
# socket: role `pp` gets a generated one, kept in DIR/pgpass (mode 0600,
# libpq's password-file format); clients find it with
#   export PGPASSFILE=DIR/pgpass
# so that no password is on a command line. No other role is made: a
# wrong password for `pp` is how the tests try password errors.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
port=${3:-55432}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "error: no PostgreSQL server (install Debian's postgresql)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ "$(id -u)" -eq 0 ] && chown nobody "$dir"
case "$cmd" in
  start)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
      pwfile=$(mktemp "$dir/.pw.XXXXXX")
      chmod 600 "$pwfile"
      printf '%s\n' "$pw" >"$pwfile"
      [ "$(id -u)" -eq 0 ] && chown nobody "$pwfile"
      as_owner "$bin/initdb" -D "$dir/data" -U pp --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 \
        >"$dir/initdb.log" 2>&1 || { rm -f "$pwfile"; cat "$dir/initdb.log" >&2; exit 1; }
      rm -f "$pwfile"
      cat >"$dir/data/pg_hba.conf" <<'HBA'
host all all 127.0.0.1/32 scram-sha-256
local all all scram-sha-256
HBA
      (umask 077 && printf '127.0.0.1:*:*:pp:%s\n' "$pw" >"$dir/pgpass")
    fi
    export PGPASSFILE="$dir/pgpass"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null ||
      { tail -20 "$dir/server.log" >&2; exit 1; }
    psql=(/usr/bin/psql -q -h 127.0.0.1 -p "$port" -U pp -d postgres -v ON_ERROR_STOP=1)
    exists=$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'paretoprune'")
    if [ "$exists" != 1 ]; then
      "${psql[@]}" -c "CREATE DATABASE paretoprune"
    fi
    echo "postgresql://pp@127.0.0.1:$port/paretoprune"
    echo "(password for pp in $dir/pgpass: export PGPASSFILE=$dir/pgpass)" >&2
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: $0 start DIR [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
