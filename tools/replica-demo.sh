#!/usr/bin/env bash
# A streaming read replica of the development PostgreSQL, started for a few seconds to show that
# what the primary writes appears on the replica (and how late), that the replica refuses writes,
# and — given DATABASE_URL — that the project's router (core/db.py) reads there only inside
# replica_reads() and outside transactions. Everything it starts it stops; nothing is left behind.
#
#   tools/replica-demo.sh [--allow-replication] [--restart-primary] [--keep]
#
# Steps: check the primary can stream (wal_level replica or logical, max_wal_senders > 0, a
# replication connection accepted); pg_basebackup -R -X stream into /tmp/replica-demo-XXXXXX; start
# it as a hot standby on REPLICA_PORT (5433); write a row on the primary and wait for it on the
# replica; try a write on the replica (refused); with DATABASE_URL, run the router check through
# Django with DATABASE_REPLICA_URL pointing at the standby; stop the standby and remove its files.
#
# The primary is shared (other processes use it), so the script changes it only when told:
#   --allow-replication  pg_hba.conf has no line for replication connections: add
#                        "host replication all 127.0.0.1/32 trust" (marked, removed again at the
#                        end) and reload the configuration — a reload, not a restart: nobody is
#                        disconnected. Only for a primary on this machine (the file is edited here).
#   --restart-primary    wal_level is minimal or max_wal_senders is 0: both need a RESTART of the
#                        primary, which disconnects every client. With this flag the script sets them
#                        (ALTER SYSTEM) and restarts it (pg_ctlcluster, else pg_ctl); without it, it
#                        prints what to change and stops. (Not needed on Debian's default
#                        configuration, whose wal_level is replica with 10 WAL senders.)
#   --keep               leave the standby running (its directory and stop command are printed).
#
# Environment: PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432), PRIMARY_USER (postgres),
# REPLICA_PORT (5433), PG_BIN (the server's bin directory; found under /usr/lib/postgresql by the
# primary's major version), PYTHON (.venv/bin/python), DATABASE_URL (optional: a migrated
# PostgreSQL database of the project on that primary, for the router check).
# Run as root, the server programs run as the postgres system user (PostgreSQL refuses root).
set -euo pipefail

root=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
primary_host=${PRIMARY_HOST:-127.0.0.1}
primary_port=${PRIMARY_PORT:-5432}
primary_user=${PRIMARY_USER:-postgres}
replica_port=${REPLICA_PORT:-5433}
python=${PYTHON:-$root/.venv/bin/python}
allow_replication=0 restart_primary=0 keep=0
for argument in "$@"; do
  case $argument in
    --allow-replication) allow_replication=1 ;;
    --restart-primary) restart_primary=1 ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option: $argument (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
primary() { psql -X -h "$primary_host" -p "$primary_port" -U "$primary_user" -d "${2:-postgres}" -Atqc "$1"; }
replica() { psql -X -h 127.0.0.1 -p "$replica_port" -U "$primary_user" -d "${2:-postgres}" -Atqc "$1"; }
# The server's programs refuse to run as root: as the postgres system user, then.
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

say "primary $primary_host:$primary_port"
major=$(primary "SHOW server_version_num" | cut -c1-2)
pg_bin=${PG_BIN:-/usr/lib/postgresql/$major/bin}
[ -x "$pg_bin/pg_basebackup" ] || { echo "no pg_basebackup in $pg_bin (set PG_BIN)" >&2; exit 1; }
wal_level=$(primary "SHOW wal_level")
senders=$(primary "SHOW max_wal_senders")
echo "PostgreSQL $major, wal_level=$wal_level, max_wal_senders=$senders, programs in $pg_bin"
if [ "$wal_level" = minimal ] || [ "$senders" = 0 ]; then
  echo "The primary cannot stream WAL: it needs wal_level = replica and max_wal_senders > 0,"
  echo "which take effect only after a RESTART of the primary (every client is disconnected)."
  if [ "$restart_primary" != 1 ]; then
    echo "Set them (ALTER SYSTEM SET wal_level = replica; ALTER SYSTEM SET max_wal_senders = 10;),"
    echo "restart the primary, and run this again — or run it with --restart-primary." >&2
    exit 1
  fi
  primary "ALTER SYSTEM SET wal_level = replica"
  primary "ALTER SYSTEM SET max_wal_senders = 10"
  data_directory=$(primary "SHOW data_directory")
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster "$major" main restart
  else
    as_server "$pg_bin/pg_ctl" -D "$data_directory" -w -m fast restart
  fi
  echo "primary restarted: wal_level=$(primary "SHOW wal_level"), max_wal_senders=$(primary "SHOW max_wal_senders")"
fi

work=$(mktemp -d /tmp/replica-demo-XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$work"
chmod 700 "$work"
hba_file="" hba_added=0 demo_db="replica_demo_$$"
cleanup() {
  set +e
  if [ "$keep" != 1 ] && [ -f "$work/data/postmaster.pid" ]; then
    as_server "$pg_bin/pg_ctl" -D "$work/data" -w -m fast stop >/dev/null && echo "replica stopped"
  fi
  primary "DROP DATABASE IF EXISTS $demo_db" 2>/dev/null
  if [ "$hba_added" = 1 ]; then
    sed -i '/# replica-demo\.sh$/d' "$hba_file" && primary "SELECT pg_reload_conf()" >/dev/null
    echo "the replication line is removed from $hba_file again (configuration reloaded)"
  fi
  [ "$keep" != 1 ] && rm -rf "$work"
}
trap cleanup EXIT

can_replicate() {
  psql -X "host=$primary_host port=$primary_port user=$primary_user replication=true" \
    -Atqc IDENTIFY_SYSTEM >/dev/null 2>&1
}
if ! can_replicate; then
  hba_file=$(primary "SHOW hba_file")
  line="host replication all 127.0.0.1/32 trust"
  echo "The primary refuses replication connections: $hba_file has no line like"
  echo "  $line"
  if [ "$allow_replication" != 1 ] || [ ! -w "$hba_file" ]; then
    echo "Add it and reload (SELECT pg_reload_conf(); no restart), or run with --allow-replication." >&2
    exit 1
  fi
  printf '%s  # replica-demo.sh\n' "$line" >>"$hba_file"
  hba_added=1
  primary "SELECT pg_reload_conf()" >/dev/null
  can_replicate || { echo "still refused after the reload" >&2; exit 1; }
  echo "added (marked # replica-demo.sh) and reloaded: no restart, nobody disconnected"
fi

if psql -X -h 127.0.0.1 -p "$replica_port" -U "$primary_user" -Atqc "SELECT 1" >/dev/null 2>&1; then
  echo "something already answers on port $replica_port (set REPLICA_PORT)" >&2
  exit 1
fi

say "pg_basebackup -R -X stream into $work/data"
started=$(date +%s.%N)
as_server "$pg_bin/pg_basebackup" -h "$primary_host" -p "$primary_port" -U "$primary_user" \
  -D "$work/data" -R -X stream -c fast
awk -v s="$started" -v e="$(date +%s.%N)" -v size="$(du -sh "$work/data" | cut -f1)" 'BEGIN { printf "copied %s in %.1f s\n", size, e - s }'

# Debian keeps postgresql.conf and pg_hba.conf outside the data directory: the standby gets its
# own. A hot standby needs these limits at least as high as the primary's.
{
  echo "port = $replica_port"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '$work'"
  echo "hot_standby = on"
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    echo "$name = $(primary "SHOW $name")"
  done
} | as_server tee "$work/data/postgresql.conf" >/dev/null
[ -f "$work/data/pg_hba.conf" ] ||
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_server tee "$work/data/pg_hba.conf" >/dev/null
echo "standby settings (postgresql.auto.conf, written by -R):"
grep -E "primary_conninfo" "$work/data/postgresql.auto.conf" | sed 's/password=[^ ]*/password=…/; s/^/  /'

say "start the standby on 127.0.0.1:$replica_port"
as_server "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
echo "in recovery (a standby): $(replica "SELECT pg_is_in_recovery()")"
primary "SELECT application_name, state, sync_state FROM pg_stat_replication" | sed 's/^/  primary sees: /'

say "a row written on the primary, read on the replica"
primary "CREATE DATABASE $demo_db"
primary "CREATE TABLE probe (id serial PRIMARY KEY, written_at timestamptz DEFAULT clock_timestamp())" "$demo_db"
written=$(date +%s%N)
id=$(primary "INSERT INTO probe DEFAULT VALUES RETURNING id" "$demo_db")
seen=""
for _ in $(seq 1 500); do
  seen=$(replica "SELECT id FROM probe WHERE id = $id" "$demo_db" 2>/dev/null || true)
  [ -n "$seen" ] && break
  sleep 0.01
done
[ "$seen" = "$id" ] || { echo "row $id never reached the replica" >&2; exit 1; }
echo "row $id visible on the replica after $(((($(date +%s%N) - written)) / 1000000)) ms (an upper bound: each poll starts psql)"
primary "SELECT 'replay lag reported by the primary: ' || coalesce(replay_lag::text, '0 (idle)') FROM pg_stat_replication"

say "a write on the replica"
if replica "INSERT INTO probe DEFAULT VALUES" "$demo_db" 2>"$work/refused"; then
  echo "the replica accepted a write!" >&2
  exit 1
fi
echo "refused: $(head -1 "$work/refused")"

if [ -n "${DATABASE_URL:-}" ] && [[ $DATABASE_URL == postgres* ]]; then
  say "the router (core/db.py) with DATABASE_REPLICA_URL on the standby"
  replica_url=$(printf '%s' "$DATABASE_URL" | sed -E "s#@([^/:]+)(:[0-9]+)?/#@127.0.0.1:$replica_port/#")
  echo "DATABASE_URL=$DATABASE_URL"
  echo "DATABASE_REPLICA_URL=$replica_url"
  (cd "$root" && DATABASE_REPLICA_URL=$replica_url "$python" manage.py shell -c "$(cat <<'PY'
import time
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from core.db import read_database, replica_reads

def server(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        port, standby = cursor.fetchone()
    return f"{alias} = port {port}" + (" (standby)" if standby else " (primary)")

print(server("default"), "|", server("replica"))

def where(label, read):
    with CaptureQueriesContext(connections["default"]) as p, CaptureQueriesContext(connections["replica"]) as r:
        read()
    print(f"{label}: {len(p)} quer(ies) on the primary, {len(r)} on the replica")

where("outside replica_reads()", lambda: ContentType.objects.count())
with replica_reads():
    where("inside replica_reads()", lambda: ContentType.objects.count())
    # .iterator(): a server-side cursor (DECLARE … WITH HOLD), as the exports use; a standby takes it.
    where("inside replica_reads(), .iterator()", lambda: list(ContentType.objects.iterator(chunk_size=20)))
    with transaction.atomic():
        where("inside replica_reads(), in a transaction", lambda: ContentType.objects.count())
# The lag rule: a count read on the replica right after a write on the primary may miss it.
probe = ContentType.objects.create(app_label="replica_demo", model=f"probe{time.time_ns()}")
written = time.monotonic()
with replica_reads():
    at_once = ContentType.objects.filter(pk=probe.pk).exists()
    while not ContentType.objects.filter(pk=probe.pk).exists():
        time.sleep(0.005)
print(f"a row written on the primary: on the replica at once: {at_once}; "
      f"after {1000 * (time.monotonic() - written):.1f} ms: True")
probe.delete()
PY
)")
fi

if [ "$keep" = 1 ]; then
  say "kept: $work/data on port $replica_port"
  echo "stop it with: ${SUDO_PREFIX:-}$pg_bin/pg_ctl -D $work/data -m fast stop (as postgres)"
  trap - EXIT
  primary "DROP DATABASE IF EXISTS $demo_db"
else
  say "stop the standby"
fi
