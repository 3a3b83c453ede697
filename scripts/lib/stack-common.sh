# shellcheck shell=bash
# Functions behind scripts/stack. Expects REPO and STACK to be set; `set -euo pipefail` by the caller.

PACKAGES=(mariadb-server php8.2-cli php8.2-fpm php8.2-mysql php8.2-curl php8.2-mbstring php8.2-xml
          php8.2-zip php8.2-bcmath phpunit nginx curl python3)
STANDIN=$REPO/perfex-module/standin
MODULE_SRC=$REPO/perfex-module/paybridge
EXT_SO=$REPO/target/release/libpaybridge.so
SANDBOX_BIN=$REPO/target/release/paybridge-sandbox
DB_NAME=perfex
DB_USER=perfex
DB_PASSWORD=perfex-pass
NEROPAY_SECRET_KEY=sk_test_neropay
PAYREXX_INSTANCE=demo
PAYREXX_SECRET_KEY=px_test_secret
NOXIPAY_SECRET_KEY=nx_test_secret
NOXIPAY_WEBHOOK_SECRET=${NOXIPAY_WEBHOOK_SECRET:-nxwh_test_secret}
ADMIN_EMAIL=admin@example.test
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-pass}

log()  { printf '[stack] %s\n' "$*" >&2; }
die()  { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

TEMPLATES=$REPO/scripts/lib/templates

# render TEMPLATE NAME=value...: prints scripts/lib/templates/TEMPLATE with every @NAME@ replaced by its
# value (literally: the replacement is quoted, so bash 5.2's `&` substitution does not apply).
render() {
  local text kv
  text=$(<"$TEMPLATES/$1"); shift
  for kv in "$@"; do text=${text//"@${kv%%=*}@"/"${kv#*=}"}; done
  printf '%s\n' "$text"
}

check_path_length() {
  # Unix socket paths are limited to 107 bytes (mariadbd refuses, fpm silently fails).
  if [ "${#STACK}" -gt 80 ]; then die "STACK dir '$STACK' is too long (${#STACK} > 80 chars)"; fi
}

mkdirs() {
  check_path_length
  mkdir -p "$STACK"/{db,run,log,tmp/nginx,tmp/sessions,php.d,php-noext.d,www/modules}
}

# ---------------------------------------------------------------- processes

# A zombie counts as dead: PID 1 here reaps orphans late, so kill -0 is not a liveness test.
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }

pid_of() { local f=$STACK/run/$1; [ -s "$f" ] && cat "$f" || true; }

running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && alive "$p"; }

# stop <pidfile> <signal>: signal the process, wait up to 10 s, then SIGKILL its whole group.
stop() {
  local f=$STACK/run/$1 p i
  [ -s "$f" ] || return 0
  p=$(cat "$f")
  if alive "$p"; then
    kill "-$2" "$p" 2>/dev/null || true
    for i in $(seq 200); do alive "$p" || break; sleep 0.05; done
    if alive "$p"; then kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; fi
    # fpm/nginx workers share the master's group: make sure none survives.
    kill -KILL -- "-$p" 2>/dev/null || true
  fi
  rm -f "$f"
}

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

port_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# Keeps the ports of the previous run when possible so URLs stay stable across restarts.
load_ports() {
  HTTP_PORT=; SANDBOX_PORT=; NOEXT_PORT=
  if [ -s "$STACK/ports" ]; then . "$STACK/ports"; fi
  if [ -z "$HTTP_PORT" ] || { ! running nginx.pid && ! port_free "$HTTP_PORT"; }; then HTTP_PORT=$(free_port); fi
  if [ -z "$SANDBOX_PORT" ] || { ! running sandbox.pid && ! port_free "$SANDBOX_PORT"; }; then SANDBOX_PORT=$(free_port); fi
  # Second nginx server: the same stand-in through a php-fpm without the extension (issue 11 item 6).
  while [ -z "$NOEXT_PORT" ] || [ "$NOEXT_PORT" = "$HTTP_PORT" ] || [ "$NOEXT_PORT" = "$SANDBOX_PORT" ] \
        || { ! running nginx.pid && ! port_free "$NOEXT_PORT"; }; do
    NOEXT_PORT=$(free_port)
  done
  printf 'HTTP_PORT=%s\nSANDBOX_PORT=%s\nNOEXT_PORT=%s\n' "$HTTP_PORT" "$SANDBOX_PORT" "$NOEXT_PORT" > "$STACK/ports"
}

wait_for() { # description, tries (x0.05 s), command...
  local what=$1 n=$2 i; shift 2
  for i in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  die "$what did not come up (see $STACK/log/)"
}

# ---------------------------------------------------------------- packages and builds

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_rust() {
  if [ -f "$EXT_SO" ] && [ -x "$SANDBOX_BIN" ]; then return 0; fi
  if ! command -v cargo >/dev/null 2>&1; then
    log "WARNING: cargo not found; the extension/sandbox cannot be built"
    return 0
  fi
  log "building Rust artifacts (cargo build --release --workspace)…"
  if ! (cd "$REPO" && cargo build --release --workspace >"$STACK/log/cargo-build.log" 2>&1); then
    log "WARNING: cargo build failed (tail of $STACK/log/cargo-build.log):"
    tail -n 15 "$STACK/log/cargo-build.log" >&2 || true
  fi
  if [ "${STACK_REQUIRE_SANDBOX:-0}" = 1 ] && [ ! -x "$SANDBOX_BIN" ]; then die "sandbox binary missing: $SANDBOX_BIN"; fi
}

# ---------------------------------------------------------------- MariaDB

write_mycnf() {
  render my.cnf.in "STACK=$STACK" > "$STACK/my.cnf"
}

db_has_tables() {
  [ -n "$(mariadb --defaults-file="$STACK/my.cnf" -N -e "SELECT 1 FROM information_schema.tables WHERE table_schema='$DB_NAME' LIMIT 1")" ]
}

db_ping() { mariadb-admin --defaults-file="$STACK/my.cnf" ping; }

start_db() {
  if running mysqld.pid && db_ping >/dev/null 2>&1; then return 0; fi
  if [ ! -d "$STACK/db/mysql" ]; then
    log "initialising MariaDB datadir"
    mariadb-install-db --defaults-file="$STACK/my.cnf" --auth-root-authentication-method=normal --skip-test-db \
      >"$STACK/log/mysql-install.log" 2>&1 || die "mariadb-install-db failed ($STACK/log/mysql-install.log)"
  fi
  setsid /usr/sbin/mariadbd --defaults-file="$STACK/my.cnf" >"$STACK/log/mysqld.out" 2>&1 </dev/null &
  wait_for "MariaDB" 300 db_ping
  mariadb --defaults-file="$STACK/my.cnf" -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
    GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';"
}

stop_db() { stop mysqld.pid TERM; }

# ---------------------------------------------------------------- php-fpm

write_php_ini() {
  render php-standin.ini.in "STACK=$STACK" > "$STACK/php.d/10-standin.ini.new"
  if [ -f "$EXT_SO" ]; then
    echo "extension=$EXT_SO" > "$STACK/php.d/90-paybridge.ini.new"
  else
    : > "$STACK/php.d/90-paybridge.ini.new"
  fi
  local f changed=0
  for f in 10-standin.ini 90-paybridge.ini; do
    if ! cmp -s "$STACK/php.d/$f.new" "$STACK/php.d/$f"; then mv "$STACK/php.d/$f.new" "$STACK/php.d/$f"; changed=1
    else rm -f "$STACK/php.d/$f.new"; fi
  done
  [ -s "$STACK/php.d/90-paybridge.ini" ] || rm -f "$STACK/php.d/90-paybridge.ini"
  # The pool without the extension scans only the stand-in's ini (never 90-paybridge.ini).
  if ! cmp -s "$STACK/php.d/10-standin.ini" "$STACK/php-noext.d/10-standin.ini"; then
    cp "$STACK/php.d/10-standin.ini" "$STACK/php-noext.d/10-standin.ini"
    if running php-fpm-noext.pid; then stop php-fpm-noext.pid QUIT; fi
  fi
  # An ini change (e.g. the extension got built) or a rebuilt .so needs a fresh fpm.
  if [ $changed = 1 ] && running php-fpm.pid; then log "php ini changed: restarting php-fpm"; stop php-fpm.pid QUIT; fi
  if [ -f "$EXT_SO" ] && running php-fpm.pid && [ "$EXT_SO" -nt "$STACK/run/php-fpm.pid" ]; then
    log "extension rebuilt: restarting php-fpm"; stop php-fpm.pid QUIT
  fi
}

# write_fpm_conf [noext]: the main pool, or the pool without the extension. That one is a second
# php-fpm master (php-fpm-noext.conf, run/php-fpm-noext.sock): extensions are loaded by the master for
# all its pools, so only a master started with another PHP_INI_SCAN_DIR can lack paybridge.
write_fpm_conf() {
  local name=php-fpm pool=standin children=8 start=4 minspare=2 maxspare=6
  if [ "${1:-}" = noext ]; then name=php-fpm-noext pool=standin-noext children=3 start=1 minspare=1 maxspare=2; fi
  # Web node 2 of the Galera stack (stack-galera.sh): the same pool as node 1, on database node 2.
  if [ "${1:-}" = web2 ]; then name=php-fpm-web2 pool=standin-web2; fi
  render php-fpm.conf.in "NAME=$name" "POOL=$pool" "CHILDREN=$children" "START=$start" "MINSPARE=$minspare" \
    "MAXSPARE=$maxspare" "STACK=$STACK" "DB_SOCKET=${FPM_DB_SOCKET:-$STACK/run/mysqld.sock}" "DB_NAME=$DB_NAME" \
    "DB_USER=$DB_USER" "DB_PASSWORD=$DB_PASSWORD" > "$STACK/$name.conf"
}

start_fpm() {
  if running php-fpm.pid && [ -S "$STACK/run/php-fpm.sock" ]; then return 0; fi
  stop php-fpm.pid KILL
  PHP_INI_SCAN_DIR=":$STACK/php.d" php-fpm8.2 -R -y "$STACK/php-fpm.conf" -p "$STACK" -D
  wait_for "php-fpm" 200 test -S "$STACK/run/php-fpm.sock"
}

# The same stand-in without the extension; its own scan dir replaces (not extends) $STACK/php.d.
start_fpm_noext() {
  if running php-fpm-noext.pid && [ -S "$STACK/run/php-fpm-noext.sock" ]; then return 0; fi
  stop php-fpm-noext.pid KILL
  PHP_INI_SCAN_DIR=":$STACK/php-noext.d" php-fpm8.2 -R -y "$STACK/php-fpm-noext.conf" -p "$STACK" -D
  wait_for "php-fpm (without the extension)" 200 test -S "$STACK/run/php-fpm-noext.sock"
  # The system's own conf.d is scanned too (mysqli, curl, …): a paybridge enabled there (e.g. the .deb
  # installed on this host) would make PERFEX_URL_NOEXT a server WITH the extension.
  if PHP_INI_SCAN_DIR=":$STACK/php-noext.d" php-fpm8.2 -m 2>/dev/null | grep -qix paybridge; then
    log "WARNING: the system's php-fpm ini loads paybridge: PERFEX_URL_NOEXT has the extension too"
  fi
}

# ---------------------------------------------------------------- web root + nginx

write_webroot() {
  render webroot-index.php.in "STANDIN=$STANDIN" > "$STACK/www/index.php"
  local link=$STACK/www/modules/paybridge
  if [ -f "$MODULE_SRC/paybridge.php" ]; then
    # The module is served from the source tree; a copy extracted from an uploaded zip is replaced.
    if [ -L "$link" ]; then
      [ "$(readlink "$link")" = "$MODULE_SRC" ] || ln -sfn "$MODULE_SRC" "$link"
    else
      [ -e "$link" ] && rm -rf -- "$link"
      ln -s "$MODULE_SRC" "$link"
    fi
  fi
}

# nginx_server PORT SOCKET: one server block serving the stand-in's web root through that php-fpm.
nginx_server() {
  render nginx-server.conf.in "PORT=$1" "STACK=$STACK" "FPM_SOCKET=$2"
}

write_nginx_conf() {
  local servers
  servers="$(nginx_server "$HTTP_PORT" "$STACK/run/php-fpm.sock")
    # PERFEX_URL_NOEXT: the same site through a php-fpm without the extension (issue 11 item 6).
$(nginx_server "$NOEXT_PORT" "$STACK/run/php-fpm-noext.sock")"
  render nginx.conf.in "STACK=$STACK" "PIDNAME=nginx" "SERVERS=$servers" > "$STACK/nginx.conf"
}

start_nginx() {
  if running nginx.pid; then
    if ! cmp -s "$STACK/nginx.conf" "$STACK/run/nginx.conf.running"; then
      kill -HUP "$(pid_of nginx.pid)"; cp "$STACK/nginx.conf" "$STACK/run/nginx.conf.running"; sleep 0.2
    fi
    return 0
  fi
  nginx -p "$STACK" -c "$STACK/nginx.conf" -e "$STACK/log/nginx-error.log" 2>>"$STACK/log/nginx-error.log" \
    || die "nginx failed to start (see $STACK/log/nginx-error.log)"
  cp "$STACK/nginx.conf" "$STACK/run/nginx.conf.running"
  wait_for "nginx" 200 curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HTTP_PORT/robots.txt"
}

http_up() { curl -sS -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/" | grep -q '^200$'; }
# nginx answers at all (any status: the stand-in itself answers 500 while MariaDB is stopped).
nginx_answers() { curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/robots.txt" | grep -qv '^000$'; }

# ---------------------------------------------------------------- sandbox

# PAYBRIDGE_TLS=1 (or `scripts/stack up --tls`): the sandbox serves HTTPS with a CA it generates
# (issue 14); the module trusts it through the paybridge_ca_file option, the env file names it.
SANDBOX_CA=$STACK/run/sandbox-ca.pem
sandbox_scheme() { if [ "${PAYBRIDGE_TLS:-0}" = 1 ]; then echo https; else echo http; fi; }
sandbox_health() {
  if [ "$(sandbox_scheme)" = https ]; then
    curl -fsS --max-time 1 --cacert "$SANDBOX_CA" "https://127.0.0.1:$SANDBOX_PORT/_control/health"
  else
    curl -fsS --max-time 1 "http://127.0.0.1:$SANDBOX_PORT/_control/health"
  fi
}

start_sandbox() {
  if [ ! -x "$SANDBOX_BIN" ]; then log "WARNING: $SANDBOX_BIN missing: sandbox not started"; return 0; fi
  local args=(serve --port "$SANDBOX_PORT" --neropay-secret-key "$NEROPAY_SECRET_KEY"
              --payrexx-instance "$PAYREXX_INSTANCE" --payrexx-secret "$PAYREXX_SECRET_KEY"
              --noxipay-secret-key "$NOXIPAY_SECRET_KEY" --noxipay-webhook-secret "$NOXIPAY_WEBHOOK_SECRET"
              --retry-schedule-ms 200,500,1000,2000,4000)
  if [ -n "${NEROPAY_WEBHOOK_SECRET:-}" ]; then args+=(--neropay-webhook-secret "$NEROPAY_WEBHOOK_SECRET"); fi
  if [ "$(sandbox_scheme)" = https ]; then args+=(--tls --tls-ca-out "$SANDBOX_CA"); fi
  # Restarted when its binary was rebuilt or its arguments changed.
  if running sandbox.pid && sandbox_health >/dev/null 2>&1 && ! [ "$SANDBOX_BIN" -nt "$STACK/run/sandbox.pid" ] \
     && [ "$(cat "$STACK/run/sandbox.args" 2>/dev/null)" = "${args[*]}" ]; then return 0; fi
  stop sandbox.pid TERM
  # The Perfex database is kept: sandbox ids grow with wall-clock time, so a restarted sandbox never
  # reuses a provider payment id the module's UNIQUE keys already hold (a real provider never does).
  setsid "$SANDBOX_BIN" "${args[@]}" >"$STACK/log/sandbox.log" 2>&1 </dev/null &
  echo $! > "$STACK/run/sandbox.pid"
  echo "${args[*]}" > "$STACK/run/sandbox.args"
  wait_for "sandbox" 200 sandbox_health
}

# ---------------------------------------------------------------- stand-in

standin() { PHP_INI_SCAN_DIR=":$STACK/php.d" STACK_DIR=$STACK php "$STANDIN/cli.php" "$@"; }

write_env() {
  local f=$STACK/env.tmp
  {
    echo "STACK_DIR=$STACK"
    echo "PERFEX_URL=http://127.0.0.1:$HTTP_PORT"
    echo "PERFEX_URL_NOEXT=http://127.0.0.1:$NOEXT_PORT"
    if [ -x "$SANDBOX_BIN" ]; then
      local sch; sch=$(sandbox_scheme)
      echo "SANDBOX_URL=$sch://127.0.0.1:$SANDBOX_PORT"
      echo "SANDBOX_CA_FILE=$([ "$sch" = https ] && echo "$SANDBOX_CA")"
      echo "NEROPAY_BASE_URL=$sch://127.0.0.1:$SANDBOX_PORT/neropay/v2"
      echo "PAYREXX_BASE_URL=$sch://127.0.0.1:$SANDBOX_PORT/payrexx/v1.14"
      echo "NOXIPAY_BASE_URL=$sch://127.0.0.1:$SANDBOX_PORT/noxipay/v1"
    else
      echo "SANDBOX_URL="
      echo "NEROPAY_BASE_URL="
      echo "PAYREXX_BASE_URL="
      echo "NOXIPAY_BASE_URL="
    fi
    echo "NEROPAY_SECRET_KEY=$NEROPAY_SECRET_KEY"
    echo "NEROPAY_WEBHOOK_SECRET=${NEROPAY_WEBHOOK_SECRET:-}"
    echo "PAYREXX_INSTANCE=$PAYREXX_INSTANCE"
    echo "PAYREXX_SECRET_KEY=$PAYREXX_SECRET_KEY"
    echo "NOXIPAY_SECRET_KEY=$NOXIPAY_SECRET_KEY"
    echo "NOXIPAY_WEBHOOK_SECRET=$NOXIPAY_WEBHOOK_SECRET"
    echo "DB_SOCKET=${FPM_DB_SOCKET:-$STACK/run/mysqld.sock}"
    echo "DB_NAME=$DB_NAME"
    echo "DB_USER=$DB_USER"
    echo "DB_PASSWORD=$DB_PASSWORD"
    echo "ADMIN_EMAIL=$ADMIN_EMAIL"
    echo "ADMIN_PASSWORD=$ADMIN_PASSWORD"
    echo "STANDIN_WEBROOT=$STACK/www"
  } > "$f"
  mv "$f" "$STACK/env"
}

setup_standin() {
  ADMIN_EMAIL=$ADMIN_EMAIL ADMIN_PASSWORD=$ADMIN_PASSWORD standin install >/dev/null
  if [ -f "$MODULE_SRC/paybridge.php" ]; then
    standin activate paybridge >/dev/null
    local sbx="" settings
    if [ -x "$SANDBOX_BIN" ]; then sbx="$(sandbox_scheme)://127.0.0.1:$SANDBOX_PORT"; fi
    standin set-option paybridge_ca_file "$([ "$(sandbox_scheme)" = https ] && echo "$SANDBOX_CA")" >/dev/null
    settings=(active=1 "secret_key=$NEROPAY_SECRET_KEY" "base_url=${sbx:+$sbx/neropay/v2}" currencies=EUR,GBP,USD test_mode_enabled=1)
    if [ -n "${NEROPAY_WEBHOOK_SECRET:-}" ]; then settings+=("webhook_secret=$NEROPAY_WEBHOOK_SECRET"); fi
    configure_gateway neropay "${settings[@]}"
    # Payrexx reports each transaction's mode and the sandbox's default is LIVE (sandbox/README.md): the
    # gateway is live, as on a live instance; a TEST transaction is then refused with other_mode.
    configure_gateway payrexx active=1 "instance=$PAYREXX_INSTANCE" "secret_key=$PAYREXX_SECRET_KEY" \
      "base_url=${sbx:+$sbx/payrexx/v1.14}" currencies=CHF,EUR,USD,JPY,KWD test_mode_enabled=0
    configure_gateway noxipay active=1 "secret_key=$NOXIPAY_SECRET_KEY" "webhook_secret=$NOXIPAY_WEBHOOK_SECRET" \
      "base_url=${sbx:+$sbx/noxipay/v1}" currencies=EUR,USD,GBP,CHF,JPY,KWD test_mode_enabled=1
  fi
  standin ensure-invoices --count 3 --currency EUR --total 120.00 --allowed neropay,1 >/dev/null
  standin ensure-invoices --count 2 --currency CHF --total 120.00 --allowed payrexx,noxipay,1 >/dev/null
  standin ensure-invoices --count 2 --currency EUR --total 120.00 --allowed payrexx,noxipay,1 >/dev/null
}

configure_gateway() { # id key=value...
  local id=$1; shift
  standin configure-gateway "$id" --lenient "$@" >/dev/null \
    || log "WARNING: could not configure the $id gateway (is it registered by the module?)"
}

# ---------------------------------------------------------------- commands

stack_up() {
  local t0; t0=$(date +%s.%N)
  mkdirs
  # Coming from `up --galera`: its web nodes talk to the Galera sockets; start from nothing.
  if [ "$(cat "$STACK/mode" 2>/dev/null || echo single)" != single ]; then stack_down_all; fi
  echo single > "$STACK/mode"
  ensure_packages
  ensure_rust
  load_ports
  write_mycnf; start_db
  write_php_ini; write_fpm_conf; start_fpm
  write_fpm_conf noext; start_fpm_noext
  write_webroot; write_nginx_conf; start_nginx
  start_sandbox
  write_env
  setup_standin
  wait_for "stand-in over HTTP" 100 http_up
  log "up in $(python3 -c "import sys;print(round($(date +%s.%N)-$t0,2))")s: http://127.0.0.1:$HTTP_PORT (env: $STACK/env)"
  stack_status >&2 || true
}

# Stops whatever runs, single-node or Galera (scripts/stack down).
stack_down_all() {
  stack_down_single
  stack_down_galera
}

stack_down() {
  stack_down_all
  log "down"
}

stack_down_single() {
  stop sandbox.pid TERM
  stop nginx.pid QUIT
  stop php-fpm.pid QUIT
  stop php-fpm-noext.pid QUIT
  stop_db
}

stack_status() {
  local ok=0 line
  if [ -s "$STACK/ports" ]; then . "$STACK/ports"; else HTTP_PORT=; SANDBOX_PORT=; NOEXT_PORT=; fi
  check() { # name, test...
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then line="up"; else line="down"; ok=1; fi
    printf '%-9s %s\n' "$name" "$line"
  }
  if [ "$(cat "$STACK/mode" 2>/dev/null)" != galera ]; then check mariadb eval 'running mysqld.pid && db_ping'; fi
  check php-fpm  eval 'running php-fpm.pid && test -S "$STACK/run/php-fpm.sock"'
  check php-fpm-noext eval 'running php-fpm-noext.pid && test -S "$STACK/run/php-fpm-noext.sock"'
  check nginx    eval 'running nginx.pid && nginx_answers'
  check sandbox  eval 'running sandbox.pid && sandbox_health'
  if [ "$(cat "$STACK/mode" 2>/dev/null)" = galera ]; then
    [ -s "$STACK/galera-ports" ] && . "$STACK/galera-ports"
    galera_status
  fi
  return $ok
}
