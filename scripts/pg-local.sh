#!/usr/bin/env bash
# A PostgreSQL server for one user, in a folder, on 127.0.0.1 only: for
# trying distributed studies on one machine and for the tests.
#   scripts/pg-local.sh start DIR [PORT]   initdb if needed, start; prints the study URL
#   scripts/pg-local.sh stop DIR           stop it (the data stays in DIR)
# PostgreSQL refuses to run as root: as root, the server runs as `nobody`.
# Role `pp` connects without a password from 127.0.0.1; role `ppsecret`
# (password "secret") needs its password, for trying password errors.
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
      as_owner "$bin/initdb" -D "$dir/data" -U pp --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
      cat >"$dir/data/pg_hba.conf" <<'HBA'
host all ppsecret 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
local all all trust
HBA
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null ||
      { tail -20 "$dir/server.log" >&2; exit 1; }
    psql=(/usr/bin/psql -q -h 127.0.0.1 -p "$port" -U pp -d postgres -v ON_ERROR_STOP=1)
    exists=$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'paretoprune'")
    if [ "$exists" != 1 ]; then
      "${psql[@]}" -c "CREATE DATABASE paretoprune"
      "${psql[@]}" -c "CREATE ROLE ppsecret LOGIN PASSWORD 'secret'; GRANT ALL ON DATABASE paretoprune TO ppsecret"
    fi
    echo "postgresql://pp@127.0.0.1:$port/paretoprune"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: $0 start DIR [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
