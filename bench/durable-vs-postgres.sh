#!/usr/bin/env bash
# Durable ingestion, side by side on this machine in one run (issue 20):
#  (a) the design a team would hand-build on PostgreSQL 15: one transaction per event (the event row
#      plus an upsert of the person's profile row), 8 clients, durable commit (and, for reference,
#      asynchronous commit), driven by pgbench against a throwaway cluster on a free loopback port;
#  (b) O2O's durable path: the event hub (librdkafka's mock cluster) -> a silo's consumer -> Azure Table
#      storage (Azurite), with realistic interleaving (each batch one event each of 1,000 people).
# Prints both rates, O2O's storage writes per event (rows, and the requests that carried them) for new
# and returning people, and the ratios.
#
#   bench/durable-vs-postgres.sh [--profiles N] [--events-per-profile N] [--seconds N] [--checkpoint-seconds N]
set -euo pipefail

PROFILES=10000
PER_PROFILE=20
SECONDS_PER_RUN=30
CHECKPOINT=300
CLIENTS=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profiles) PROFILES="$2"; shift 2 ;;
    --events-per-profile) PER_PROFILE="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --checkpoint-seconds) CHECKPOINT="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGBIN=/usr/lib/postgresql/15/bin

# --- what the run needs --------------------------------------------------------------------------
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
if [[ ! -x $PGBIN/initdb || ! -x $PGBIN/pg_ctl ]] || ! command -v pgbench >/dev/null; then
  echo "installing postgresql-15 and pgbench (Debian packages)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
fi
command -v azurite-table >/dev/null || { echo "installing Azurite (npm)"; $SUDO npm install -g azurite >/dev/null; }

echo "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- (a) PostgreSQL ------------------------------------------------------------------------------
# initdb refuses to run as root: as root the throwaway cluster runs as the unprivileged postgres user.
AS=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  AS=(runuser -u postgres --)
fi
DATA="$(mktemp -d /tmp/o2o-pgbench.XXXXXX)"
[[ ${#AS[@]} -gt 0 ]] && chown postgres "$DATA"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$DATA/db" -U bench --auth=trust -E UTF8 >/dev/null
# Defaults for durability (fsync, synchronous_commit, full_page_writes on); only room for 8 clients and a quiet log.
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_connections=50" start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PORT" -U bench -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -d postgres -c "create database bench"
"${PSQL[@]}" -d bench <<'SQL'
create table profiles (
  id bigint primary key,
  events integer not null,
  first_seen timestamptz not null,
  last_seen timestamptz not null,
  stage smallint not null,
  score double precision not null,
  last_path text);
create table events (
  message_id text primary key,
  profile_id bigint not null,
  type text not null,
  name text,
  at timestamptz not null,
  body jsonb not null);
create index on events (profile_id, at);
SQL

# One event: its row (with the JSON the hub carries) and the person's profile upserted, in one transaction.
cat > "$DATA/event.sql" <<'SQL'
\set m random(1, 9000000000000000)
BEGIN;
INSERT INTO events (message_id, profile_id, type, name, at, body)
  VALUES ('m' || :client_id || '-' || :m, :p, 'track', 'Product Viewed', now(),
          jsonb_build_object('anonymousId', 'anon-' || :p, 'event', 'Product Viewed',
                             'properties', jsonb_build_object('product_id', 'sku-7', 'path', '/san-pham/sku-7'),
                             'context', jsonb_build_object('campaign', jsonb_build_object('source', 'facebook', 'medium', 'paid_social', 'name', 'bench_c7'))));
INSERT INTO profiles AS p (id, events, first_seen, last_seen, stage, score, last_path)
  VALUES (:p, 1, now(), now(), 1, 4, '/san-pham/sku-7')
  ON CONFLICT (id) DO UPDATE SET events = p.events + 1, last_seen = excluded.last_seen,
    stage = greatest(p.stage, excluded.stage), score = p.score + 4, last_path = excluded.last_path;
END;
SQL
{ echo '\set p random(1000000000, 9000000000000)'; cat "$DATA/event.sql"; } > "$DATA/new.sql"
{ echo "\\set p random(1, $PROFILES)"; cat "$DATA/event.sql"; } > "$DATA/returning.sql"
"${PSQL[@]}" -d bench -c "insert into profiles select g, 1, now(), now(), 1, 1, '/' from generate_series(1, $PROFILES) g"

pgbench_tps() { # $1 script, $2 synchronous_commit
  "${PSQL[@]}" -d bench -c "alter database bench set synchronous_commit = $2"
  pgbench -h 127.0.0.1 -p "$PORT" -U bench -n -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$1" bench 2>/dev/null \
    | tee "$DATA/pgbench.out" | awk '/^tps = /{printf "%.0f", $3}'
  awk '/latency average/{printf " (latency average %s ms)", $4}' "$DATA/pgbench.out" >&2
}
echo "PostgreSQL 15 ($(pgbench --version | awk '{print $3}')), one transaction per event (event row + profile upsert), $CLIENTS clients, ${SECONDS_PER_RUN} s each:"
PG_NEW=$(pgbench_tps "$DATA/new.sql" on);             echo " <- new people, durable commit: $PG_NEW events/s" >&2
PG_RET=$(pgbench_tps "$DATA/returning.sql" on);       echo " <- returning people, durable commit: $PG_RET events/s" >&2
PG_RET_ASYNC=$(pgbench_tps "$DATA/returning.sql" off); echo " <- returning people, asynchronous commit: $PG_RET_ASYNC events/s" >&2
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -m fast stop >/dev/null
echo "load average after PostgreSQL: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- (b) O2O -------------------------------------------------------------------------------------
dotnet build -c Release "$ROOT/bench/O2O.Bench.Storage" -v q -nologo >/dev/null
dotnet "$ROOT/bench/O2O.Bench.Storage/bin/Release/net10.0/O2O.Bench.Storage.dll" eventhubs \
  --profiles "$PROFILES" --events-per-profile "$PER_PROFILE" --checkpoint-seconds "$CHECKPOINT" 2>/dev/null \
  | grep -v '^\(warn\|fail\|info\|      \)' | tee "$DATA/o2o.out"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

value() { awk -v pass="$1" -v key="$2" '$1 == "RESULT" && $3 == pass { for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' "$DATA/o2o.out"; }
O2O_NEW=$(value new events_per_s); O2O_RET=$(value returning events_per_s)
W_NEW=$(value new writes_per_event); W_RET=$(value returning writes_per_event)
R_NEW=$(value new write_requests_per_event); R_RET=$(value returning write_requests_per_event)
echo
echo "== durable ingestion, same machine, same run =="
printf '%-34s %12s %12s\n' "" "new people" "returning"
printf '%-34s %12s %12s\n' "PostgreSQL, durable commit" "$PG_NEW" "$PG_RET"
printf '%-34s %12s %12s\n' "PostgreSQL, asynchronous commit" "-" "$PG_RET_ASYNC"
printf '%-34s %12s %12s\n' "O2O (events/s durably)" "$O2O_NEW" "$O2O_RET"
printf '%-34s %12s %12s\n' "O2O storage writes per event" "$W_NEW" "$W_RET"
printf '%-34s %12s %12s\n' "O2O write requests per event" "$R_NEW" "$R_RET"
awk -v a="$O2O_NEW" -v b="$PG_NEW" -v c="$O2O_RET" -v d="$PG_RET" -v e="$PG_RET_ASYNC" 'BEGIN {
  printf "%-34s %11.2fx %11.2fx\n", "O2O / PostgreSQL durable", a / b, c / d;
  printf "%-34s %12s %11.2fx\n", "O2O / PostgreSQL asynchronous", "-", c / e }'
awk -v c="$O2O_RET" -v d="$PG_RET" -v w="$W_RET" -v r="$R_RET" 'BEGIN {
  printf "bars: O2O >= 3x PostgreSQL durable (returning): %s; <= 0.05 writes/event (returning): rows %s, requests %s\n",
    (c >= 3 * d ? "met" : "NOT met"), (w <= 0.05 ? "met" : "NOT met"), (r <= 0.05 ? "met" : "NOT met") }'
