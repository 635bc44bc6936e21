#!/usr/bin/env bash
# The real servers behind the PostgreSQL and S3 tests, on loopback only: PostgreSQL from Debian's packages and
# SeaweedFS (built from the Go module proxy, cached in .tools/bin), and Debian's chromium for the UI's browser tests.
# Idempotent: a running server is left alone.
#
#   bash scripts/setup-services.sh          # install what is missing, start both, create the test database
#   bash scripts/setup-services.sh postgres # (or s3, or chromium) only that one
#   bash scripts/setup-services.sh env      # print the variables the tests read (eval "$(... env)")
#   bash scripts/setup-services.sh stop     # stop both servers (data is kept)
#
# The passwords below are for these local test servers only.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${ARTIFACTS_SERVICES_DIR:-/tmp/temporal-artifacts-services}"
PG_PORT="${ARTIFACTS_TEST_PG_PORT:-15432}"
S3_PORT="${ARTIFACTS_TEST_S3_PORT:-18333}"
# Ports below the ephemeral range, so the Temporal dev servers' random ports never take them.
MASTER_PORT=19333 VOLUME_PORT=18080 FILER_PORT=18888
WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6
WEED="$ROOT/.tools/bin/weed-$WEED_VERSION"
# Kept per machine as well, so a fresh clone (as CI makes) on the same machine does not build it again.
WEED_CACHE="${ARTIFACTS_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/temporal-artifacts}/weed-$WEED_VERSION"
S3_KEY=artifacts-test S3_SECRET=artifacts-test-secret

log() { echo "setup-services: $*" >&2; }
die() { echo "setup-services: $*" >&2; exit 1; }

print_env() {
  cat <<EOF
export ARTIFACTS_TEST_POSTGRES_URL=postgres://artifacts:artifacts@127.0.0.1:$PG_PORT/artifacts_test
export ARTIFACTS_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export ARTIFACTS_TEST_S3_ACCESS_KEY=$S3_KEY
export ARTIFACTS_TEST_S3_SECRET_KEY=$S3_SECRET
EOF
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root), else as ourselves.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

ensure_postgres() {
  if [ -z "$(pg_bin)" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root: run 'sudo apt-get install postgresql', then this script again."
    log "installing PostgreSQL from Debian's packages"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq postgresql >/dev/null
  fi
  local bin data="$DIR/pg" sock="$DIR/pg-socket"
  bin="$(pg_bin)"
  mkdir -p "$DIR" "$sock"
  if [ "$(id -u)" = 0 ]; then chown postgres "$sock"; mkdir -p "$data"; chown postgres "$data"; chmod 700 "$data"; fi
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    if [ ! -f "$data/PG_VERSION" ]; then
      log "creating a PostgreSQL cluster in $data"
      as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # A throwaway test server: durability settings off for speed.
    as_pg "$bin/pg_ctl" -D "$data" -l "$sock/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
      || die "PostgreSQL did not start; see $sock/postgres.log"
  fi
  as_pg "$bin/psql" -q -h "$sock" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE artifacts LOGIN CREATEDB PASSWORD ''artifacts'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'artifacts') \gexec
SELECT 'CREATE DATABASE artifacts_test OWNER artifacts'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'artifacts_test') \gexec
SQL
}

# A new machine builds SeaweedFS from the module proxy (minutes on 2 cores); later runs reuse the binary.
# `go install module@version` refuses this module (its go.mod has replace directives), so build it in a copy.
# One build per machine at a time: a second clone (or a bench started meanwhile) waits for the lock, then copies
# the cached binary instead of building it again beside the first.
ensure_weed_binary() {
  [ -x "$WEED" ] && return 0
  mkdir -p "$(dirname "$WEED")" "$(dirname "$WEED_CACHE")"
  exec 9>"$WEED_CACHE.lock"
  flock 9
  build_weed_binary
  exec 9>&-
}

build_weed_binary() {
  [ -x "$WEED" ] && return 0
  if [ -x "$WEED_CACHE" ]; then cp "$WEED_CACHE" "$WEED.partial" && mv "$WEED.partial" "$WEED"; return 0; fi
  command -v go >/dev/null || die "Go is needed to build SeaweedFS ($WEED_MODULE@$WEED_VERSION) and is not on PATH."
  log "building SeaweedFS $WEED_VERSION from the Go module proxy (takes several minutes the first time)"
  local src work
  src="$(go mod download -json "$WEED_MODULE@$WEED_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src" ] || die "go mod download $WEED_MODULE@$WEED_VERSION gave no source folder"
  work="$(mktemp -d)"
  cp -r "$src/." "$work" && chmod -R u+w "$work"
  (cd "$work" && go build -o "$WEED.partial" ./weed) || die "building SeaweedFS failed"
  mv "$WEED.partial" "$WEED"
  rm -rf "$work"
  cp "$WEED" "$WEED_CACHE.partial" && mv "$WEED_CACHE.partial" "$WEED_CACHE" || log "could not cache the binary in $WEED_CACHE"
}

s3_up() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/" ; }

ensure_seaweedfs() {
  ensure_weed_binary
  s3_up && return 0
  # Test data only: every start begins empty, so volumes filled by earlier runs never run the server out of space.
  rm -rf "$DIR/weed"
  mkdir -p "$DIR/weed"
  cat >"$DIR/s3.json" <<EOF
{"identities": [{"name": "$S3_KEY", "credentials": [{"accessKey": "$S3_KEY", "secretKey": "$S3_SECRET"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
  log "starting SeaweedFS (S3 on 127.0.0.1:$S3_PORT)"
  setsid nohup "$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$DIR/weed" \
    -master.port=$MASTER_PORT -master.volumeSizeLimitMB=1024 -volume.port=$VOLUME_PORT -volume.max=200 \
    -filer -filer.port=$FILER_PORT -s3 -s3.port="$S3_PORT" -s3.config="$DIR/s3.json" \
    >"$DIR/seaweedfs.log" 2>&1 < /dev/null &
  echo $! >"$DIR/seaweedfs.pid"
  for _ in $(seq 1 120); do s3_up && return 0; sleep 0.5; done
  die "SeaweedFS did not answer on 127.0.0.1:$S3_PORT within 60 s; see $DIR/seaweedfs.log"
}

# The browser the UI tests drive (playwright-core given its path; browser downloads do not work here).
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "chromium is not installed and installing it needs root: run 'sudo apt-get install chromium', then this script again."
  log "installing chromium from Debian's packages (for the UI's browser tests)"
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq chromium >/dev/null
}

stop_all() {
  local bin; bin="$(pg_bin)"
  if [ -n "$bin" ] && [ -f "$DIR/pg/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$DIR/pg" -m fast stop >/dev/null || true; fi
  if [ -f "$DIR/seaweedfs.pid" ]; then
    local pid; pid="$(cat "$DIR/seaweedfs.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$DIR/seaweedfs.pid"
  fi
}

case "${1:-start}" in
  start) ensure_postgres; ensure_seaweedfs; ensure_chromium; log "PostgreSQL on 127.0.0.1:$PG_PORT and S3 on 127.0.0.1:$S3_PORT are ready" ;;
  postgres) ensure_postgres ;;
  s3) ensure_seaweedfs ;;
  chromium) ensure_chromium ;;
  env) print_env ;;
  stop) stop_all ;;
  *) die "unknown command $1: use start, env or stop" ;;
esac
