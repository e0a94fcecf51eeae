#!/usr/bin/env bash
# Many users at once: Locust (tools/loadtest/locustfile.py) runs LOADTEST_USERS simulated discipline
# staff, unit officers and supervisors, each signed in, through their role's pages and API lists for
# LOADTEST_TIME, against gunicorn (gunicorn.conf.py) on a PostgreSQL database of its own, with Redis
# as cache and Celery broker as in production. Loopback only; everything it starts it stops. Writes
# the per-page table (requests, req/s, p50/p95/p99, failures) into docs/benchmarks.md (its own
# section, tools/loadtest/report.py) and $LOADTEST_DIR (report.md, every request in requests.csv,
# Locust's own CSV and HTML, the server's log).
#
#   tools/loadtest.sh    LOADTEST_USERS=50 LOADTEST_SPAWN_RATE=1 LOADTEST_TIME=3m (s, m or h)
#                        LOADTEST_WAIT=1-3 (seconds between a user's requests) LOADTEST_PORT=8042
#                        LOADTEST_DATABASE=yianchugai_loadtest GUNICORN_WORKERS=3
#                        LOADTEST_REDIS=redis://127.0.0.1:6379/14 LOADTEST_MAX_REQUESTS=100000
#
# The database is dropped and made afresh each run: seeded with the demo (seed_demo), or, with
# LOADTEST_FROM=yianchugai_bench_1000000 (`make bench`'s 1,000,000 measures), a copy of that database
# (createdb --template; the original is only read), whose chosen accounts are given the demo's
# password. Exits 1 when a request failed.
#
# The users arrive one a second, as a morning's do (a province's few thousand staff and officers
# sign in over an hour or so, not within seconds): a sign-in costs 0.35 s of CPU (the password's
# hash), so 50 arriving within 10 s, five a second, would queue every page behind 17 CPU-seconds
# of hashing on 2 cores. All 50 are in after 50 s and stay for the 2 minutes after.
set -euo pipefail

root=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
command="make loadtest"  # as the report names it, with the settings given
for name in LOADTEST_FROM LOADTEST_USERS LOADTEST_SPAWN_RATE LOADTEST_TIME LOADTEST_WAIT \
  GUNICORN_WORKERS; do
  if [ -n "${!name:-}" ]; then command="$name=${!name} $command"; fi
done
bin=$root/.venv/bin
database=${LOADTEST_DATABASE:-yianchugai_loadtest}
source_database=${LOADTEST_FROM:-}
port=${LOADTEST_PORT:-8042}
users=${LOADTEST_USERS:-50}
spawn_rate=${LOADTEST_SPAWN_RATE:-1}
run_time=${LOADTEST_TIME:-3m}
redis=${LOADTEST_REDIS:-redis://127.0.0.1:6379/14}
out=${LOADTEST_DIR:-$root/var/loadtest}
report=${LOADTEST_REPORT:-$root/docs/benchmarks.md}
export LOADTEST_WAIT=${LOADTEST_WAIT:-1-3} LOADTEST_ACCOUNTS=$out/accounts.json
export LOADTEST_LOG=$out/requests.csv
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$database DATABASE_CONN_MAX_AGE=60
export DEBUG=false TWO_FACTOR_ENFORCED=false REDIS_CACHE_URL=$redis CELERY_BROKER_URL=$redis
export CELERY_TASK_DEFAULT_QUEUE=loadtest GUNICORN_BIND=127.0.0.1:$port
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
sql=(psql -h 127.0.0.1 -U postgres -d "$database" -tAc)

case $run_time in
  *h) seconds=$((${run_time%h} * 3600)) ;;
  *m) seconds=$((${run_time%m} * 60)) ;;
  *) seconds=${run_time%s} ;;
esac
if [ "$database" = "$source_database" ]; then
  echo "LOADTEST_DATABASE is dropped and made afresh: it cannot be LOADTEST_FROM." >&2
  exit 2
fi

cd "$root"
mkdir -p "$out"
rm -f "$out"/locust_*.csv "$LOADTEST_LOG"
"$bin/python" -c "import redis; redis.from_url('$redis').ping()"  # fails when Redis is not there
dropdb -h 127.0.0.1 -U postgres --if-exists --force "$database"
if [ -n "$source_database" ]; then
  echo "Copying $source_database into $database…"
  createdb -h 127.0.0.1 -U postgres --template "$source_database" "$database"
  "$bin/python" manage.py migrate --noinput -v0
  data="a copy of \`$source_database\`"
else
  createdb -h 127.0.0.1 -U postgres "$database"
  "$bin/python" manage.py migrate --noinput -v0
  "$bin/python" manage.py seed_demo > /dev/null
  data="the demo (\`seed_demo\`)"
fi
"${sql[@]}" "ANALYZE" > /dev/null
echo "Accounts signing in:"
"$bin/python" tools/loadtest/accounts.py "$LOADTEST_ACCOUNTS" ${source_database:+--set-password}

"$bin/gunicorn" config.wsgi --no-control-socket > "$out/server.log" 2>&1 &
server=$!
locust= sampler=
trap 'kill $sampler $locust $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 120); do  # each worker renders a PDF first (a few seconds)
  curl -sf -o /dev/null "http://127.0.0.1:$port/login/" && break
  sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$port/login/" || { cat "$out/server.log"; exit 1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
while sleep 10; do cut -d' ' -f1 /proc/loadavg; done > "$out/loadavg" &  # other work shows here
sampler=$!
echo "Locust: $users users, $spawn_rate a second, $run_time, load average $load_before…"
status=0
timeout $((seconds + 300)) "$bin/locust" -f tools/loadtest/locustfile.py --headless \
  --host "http://127.0.0.1:$port" --users "$users" --spawn-rate "$spawn_rate" \
  --run-time "$run_time" --csv "$out/locust" --html "$out/locust.html" \
  --logfile "$out/locust.log" --only-summary > "$out/locust.out" 2>&1 &
locust=$!
wait $locust || status=$?
locust=
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kill $sampler
load_during=$(sort -n "$out/loadavg" | sed -n '1p;$p' | paste -sd' ')
load_during=${load_during:-${load_after%% *} ${load_after%% *}}  # lowest and highest

count() { "${sql[@]}" "SELECT to_char(count(*), 'FM999,999,999') FROM $1"; }
measures=$(count reforms_measure) cases=$(count cases_case)
letters=$(count recommendations_recommendation)
size=$("${sql[@]}" "SELECT pg_size_pretty(pg_database_size(current_database()))")
version="import redis; print(redis.from_url('$redis').info()['redis_version'])"
PYTHONPATH="$root" "$bin/python" tools/loadtest/report.py --log "$LOADTEST_LOG" --output "$report" \
  --copy "$out/report.md" --command "$command" --users "$users" --spawn-rate "$spawn_rate" \
  --run-time "$run_time" --wait "$LOADTEST_WAIT" --workers "$GUNICORN_WORKERS" \
  --postgres "$("${sql[@]}" "SHOW server_version" | cut -d' ' -f1)" \
  --redis "$("$bin/python" -c "$version")" \
  --locust "$("$bin/locust" --version | cut -d' ' -f2)" --database "$database" \
  --data "$data: $measures measures, $cases cases, $letters letters; $size" \
  --load-before "$load_before" --load-during "$load_during" --load-after "$load_after" \
  --server-errors "$(grep -cE '" 5[0-9]{2} ' "$out/server.log" || true)"
echo "Written to $report (Locust's own report: $out/locust.html)."
exit $status
