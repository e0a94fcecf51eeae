#!/usr/bin/env bash
# schemathesis against the running API, from outside as an integrator would: every check, positive
# and negative data and the stateful links, once for each of the three roles with a token, against
# gunicorn on a PostgreSQL database filled with the demo data. Loopback only; everything it starts
# it stops. The failures of each role are in $FUZZ_DIR/<role>.log (JUnit beside it), its server's
# own log in $FUZZ_DIR/server-<role>.log; a role's failures are also printed (`.ci/run` runs it).
#
#   tools/fuzz.sh            MAX_EXAMPLES=30 SEED=1 FUZZ_DATABASE=yianchugai_fuzz FUZZ_PORT=8041
#
# The demo database is dropped and seeded afresh each run, and each role runs on a copy of it
# (<database>_<role>, on FUZZ_PORT and the next two ports), so a run is repeatable with its seed.
set -euo pipefail

root=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
bin=$root/.venv/bin
database=${FUZZ_DATABASE:-yianchugai_fuzz}
port=${FUZZ_PORT:-8041}
seed=${SEED:-1}
examples=${MAX_EXAMPLES:-30}
out=${FUZZ_DIR:-$root/var/fuzz}
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$database CELERY_BROKER_URL=

cd "$root"
mkdir -p "$out"
dropdb -h 127.0.0.1 -U postgres --if-exists --force "$database"
createdb -h 127.0.0.1 -U postgres "$database"
"$bin/python" manage.py migrate --noinput -v0
"$bin/python" manage.py seed_demo > /dev/null

# The three roles side by side, each on a copy of the seeded database and a server of its own: a
# role's run sends one request at a time and waits for it, so one role after another left the two
# cores mostly idle (a third of the CI's time). Each role's run is its own seed's alone. Two
# workers a server, as before: the token endpoint's rate is counted in each worker's own cache.
roles=(staff officer supervisor)
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT
for i in "${!roles[@]}"; do
  role=${roles[$i]}
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "${database}_$role"
  createdb -h 127.0.0.1 -U postgres -T "$database" "${database}_$role"
  # No control socket: gunicorn 27 puts one per user at ~/.gunicorn/gunicorn.ctl, and a second
  # server (make loadtest, make run) would take it over or remove it.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/${database}_$role \
    "$bin/gunicorn" config.wsgi -w 2 -b "127.0.0.1:$((port + i))" --timeout 60 \
    --no-control-socket > "$out/server-$role.log" 2>&1 &
  servers+=($!)
done

fuzz_role() {  # role, port
  local token
  token=$(DATABASE_URL=postgres://postgres@127.0.0.1:5432/${database}_$1 \
    "$bin/python" manage.py issue_api_token "$1" | tail -1)
  for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$2/api/v1/schema/" && break
    sleep 0.2
  done
  "$bin/st" run "http://127.0.0.1:$2/api/v1/schema/" --checks all --seed "$seed" \
    --max-examples "$examples" --header "Authorization: Token $token" \
    --report junit --report-dir "$out/$1" > "$out/$1.log" 2>&1
}

echo "schemathesis as ${roles[*]}, side by side (seed $seed, at most $examples examples an operation)…"
runs=()
for i in "${!roles[@]}"; do
  fuzz_role "${roles[$i]}" "$((port + i))" &
  runs+=($!)
done
failed=0
for i in "${!roles[@]}"; do
  role=${roles[$i]}
  if wait "${runs[$i]}"; then
    echo "  $role: no failure"
  else
    failed=1
    echo "  $role: $(grep -E '^=+ .* in [0-9.]+s =+$' "$out/$role.log" | tr -d '=' | xargs)"
    sed -n '/^=* FAILURES =*$/,/^=* WARNINGS =*$/p' "$out/$role.log" | cut -c1-400
  fi
done
exit $failed
