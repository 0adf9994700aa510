#!/usr/bin/env bash
# Injection scan: start caseflow on loopback (scratch SQLite database + demo data), log in,
# and run sqlmap (Debian package `sqlmap`) in batch mode against the login form and the
# main list filters with the session cookie; print a summary. Not part of `make test`.
#
#   scripts/sqlmap_scan.sh [PORT] [SECONDS_PER_TARGET]
#
# The scan app has the rate limiter and CSRF switched off, so sqlmap's payloads reach the
# queries instead of being stopped at the door (both stay on in every real configuration).
set -uo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-5077}
BUDGET=${2:-150}
PY=${PYTHON:-.venv/bin/python}
command -v sqlmap >/dev/null || { echo "sqlmap is not installed: apt-get install -y sqlmap" >&2; exit 2; }

WORK=$(mktemp -d /tmp/caseflow-sqlmap.XXXXXX)
export DATABASE_URL="sqlite:///$WORK/scan.db" CASEFLOW_DATA_DIR="$WORK/data"
$PY -m caseflow.cli db upgrade >/dev/null 2>&1 || .venv/bin/caseflow db upgrade >/dev/null
.venv/bin/caseflow demo >/dev/null

cat > "$WORK/serve.py" <<PYEOF
from werkzeug.serving import run_simple
from caseflow import create_app
app = create_app({"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
run_simple("127.0.0.1", $PORT, app, threaded=True)
PYEOF
$PY "$WORK/serve.py" >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
trap cleanup EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -fs "$BASE/login" >/dev/null && break; sleep 0.3; done

JAR="$WORK/cookies.txt"
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "username=supervisor&password=caseflow2026" "$BASE/login"
COOKIE="session=$(awk '$6=="session"{print $7}' "$JAR")"
[ "$COOKIE" != "session=" ] || { echo "login failed" >&2; exit 1; }

run() {  # name, then sqlmap arguments
  local name=$1; shift
  local out="$WORK/$name.log"
  timeout "$BUDGET" sqlmap --batch --level 2 --risk 1 --dbms=SQLite --flush-session \
    --output-dir="$WORK/sqlmap" "$@" >"$out" 2>&1
  local rc=$?
  local verdict
  if grep -q "is vulnerable\|sqlmap identified the following injection point" "$out"; then
    verdict="VULNERABLE"
  elif grep -q "all tested parameters do not appear to be injectable" "$out"; then
    verdict="not injectable"
  elif [ $rc -eq 124 ]; then
    verdict="time budget (${BUDGET}s) reached, nothing found so far"
  else
    verdict="finished (rc=$rc), nothing found"
  fi
  printf '%-28s %s\n' "$name" "$verdict"
  grep -E "does not seem to be injectable|might be injectable|is vulnerable|appears to be|do not appear" "$out" \
    | sed 's/^/    /' | sort -u | head -12
}

echo "== sqlmap $(sqlmap --version 2>/dev/null | grep -v WARNING | tail -1) against $BASE (budget ${BUDGET}s per target) =="
run login-form   -u "$BASE/login" --data "username=nobody&password=x" -p "username,password"
run units-q-kind -u "$BASE/units/?q=abc&kind=village" -p "q,kind" --cookie "$COOKIE"
run cases-state  -u "$BASE/cases/?state=detected" -p "state" --cookie "$COOKIE"
run signals      -u "$BASE/signals/?channel=citizen_hotline&q=abc&queue=all" -p "channel,q" --cookie "$COOKIE"
grep -c " 500 " "$WORK/server.log" | sed 's/^/server 500 responses during the scan: /'
echo "logs: $WORK"
