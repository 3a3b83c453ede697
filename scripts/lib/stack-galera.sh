# shellcheck shell=bash
# `scripts/stack up --galera` (issue 15): three MariaDB Galera nodes and two web nodes on loopback.
# Sourced after stack-common.sh (same REPO, STACK, helpers). Layout under $STACK:
#   g/db<N>/{data,tmp,mysqld.sock,mysqld.pid,mysqld.err}   database node N (N = 1..3), my.cnf in g/db<N>.cnf
#   php-fpm.conf (web node 1, DB node 1) + nginx.conf       as the single-node stack, on HTTP_PORT
#   php-fpm-web2.conf (DB node 2) + nginx-web2.conf         web node 2, on HTTP2_PORT
#   an nginx round-robin front (LB_PORT) over both web nodes: what a provider's retries hit
# Ports (SQL, gcomm, IST, SST per node) are kept in $STACK/galera-ports.

GALERA_PACKAGES=(galera-4 rsync socat)
GALERA_NODES=(1 2 3)

gdir() { echo "$STACK/g/db$1"; }
gcnf() { echo "$STACK/g/db$1.cnf"; }

galera_load_ports() {
  local n v
  if [ -s "$STACK/galera-ports" ]; then . "$STACK/galera-ports"; fi
  : > "$STACK/galera-ports.new"
  for v in HTTP2_PORT LB_PORT; do
    # Kept across runs while its nginx still listens on it (or it is free), like load_ports does.
    if [ -z "${!v:-}" ] || { ! running nginx.pid && ! running nginx-web2.pid && ! port_free "${!v}"; }; then
      printf -v "$v" '%s' "$(free_port)"
    fi
    echo "$v=${!v}" >> "$STACK/galera-ports.new"
  done
  for n in "${GALERA_NODES[@]}"; do
    for v in SQL GCOMM IST SST; do
      local name="${v}_PORT_$n"
      if [ -z "${!name:-}" ] || { ! galera_node_running "$n" && ! port_free "${!name}"; }; then
        printf -v "$name" '%s' "$(free_port)"
      fi
      echo "$name=${!name}" >> "$STACK/galera-ports.new"
    done
  done
  mv "$STACK/galera-ports.new" "$STACK/galera-ports"
}

galera_node_pid() { local f; f=$(gdir "$1")/mysqld.pid; [ -s "$f" ] && cat "$f" || true; }
galera_node_running() { local p; p=$(galera_node_pid "$1"); [ -n "$p" ] && alive "$p"; }
galera_ping() { mariadb-admin --defaults-file="$(gcnf "$1")" ping; }

# wsrep_ready = ON and the node is Synced: it accepts queries and has applied everything before it.
galera_synced() {
  [ "$(mariadb --defaults-file="$(gcnf "$1")" -N -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
        WHERE VARIABLE_NAME = 'wsrep_local_state_comment'" 2>/dev/null)" = Synced ]
}

galera_write_cnf() {
  local n=$1 peers="" m
  for m in "${GALERA_NODES[@]}"; do local p="GCOMM_PORT_$m"; peers+="${peers:+,}127.0.0.1:${!p}"; done
  local sql="SQL_PORT_$n" gcomm="GCOMM_PORT_$n" ist="IST_PORT_$n" sst="SST_PORT_$n"
  mkdir -p "$(gdir "$n")/tmp" "$(gdir "$n")/data"
  # The nodes run as `mysql`, not root: as root, the joiner's rsync daemon of an rsync SST would drop
  # to `nobody` and could not write the datadir (rsync code 23).
  chown mysql:mysql "$STACK/g"
  chown -R mysql:mysql "$(gdir "$n")"
  render galera-node.cnf.in "N=$n" "DIR=$(gdir "$n")" "SQL_PORT=${!sql}" "GCOMM_PORT=${!gcomm}" \
    "IST_PORT=${!ist}" "SST_PORT=${!sst}" "PEERS=$peers" > "$(gcnf "$n")"
}

# galera_start_node N [--new-cluster]: node 1 bootstraps the cluster; the others join it (SST by rsync
# for an empty datadir, IST after a short absence). Waits until the node is Synced.
galera_start_node() {
  local n=$1 extra=()
  if galera_node_running "$n" && galera_synced "$n"; then return 0; fi
  if galera_node_running "$n"; then kill -KILL "$(galera_node_pid "$n")" 2>/dev/null || true; sleep 0.3; fi
  if [ "${2:-}" = --new-cluster ]; then
    extra=(--wsrep-new-cluster)
    if [ ! -d "$(gdir "$n")/data/mysql" ]; then
      mariadb-install-db --defaults-file="$(gcnf "$n")" --user=mysql --auth-root-authentication-method=normal --skip-test-db \
        >"$STACK/log/galera-install.log" 2>&1 || die "mariadb-install-db failed ($STACK/log/galera-install.log)"
    fi
    # A bootstrap after a crash of the whole cluster: this node's state is the one we keep.
    [ -f "$(gdir "$n")/data/grastate.dat" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$(gdir "$n")/data/grastate.dat"
  fi
  mkdir -p "$(gdir "$n")/data"; chown -R mysql:mysql "$(gdir "$n")"
  setsid /usr/sbin/mariadbd --defaults-file="$(gcnf "$n")" "${extra[@]}" >>"$(gdir "$n")/mysqld.out" 2>&1 </dev/null &
  local i
  for i in $(seq 1200); do
    galera_synced "$n" && return 0
    # A node that aborted (failed state transfer, bad option) is not waited for.
    if [ "$i" -gt 20 ] && ! galera_node_running "$n" && ! pgrep -f -- "--defaults-file=$(gcnf "$n")" >/dev/null; then break; fi
    sleep 0.05
  done
  die "Galera node $n did not come up (see $(gdir "$n")/mysqld.err)"
}

galera_stop_node() { # N [KILL]
  local f; f=$(gdir "$1")/mysqld.pid
  [ -s "$f" ] || return 0
  local p; p=$(cat "$f")
  if alive "$p"; then
    if [ "${2:-}" = KILL ]; then kill -KILL "$p" 2>/dev/null || true; else kill -TERM "$p" 2>/dev/null || true; fi
    local i; for i in $(seq 400); do alive "$p" || break; sleep 0.05; done
    alive "$p" && kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$f"
}

galera_start_cluster() {
  local n
  for n in "${GALERA_NODES[@]}"; do galera_write_cnf "$n"; done
  # A cluster is only started whole: any node missing means a fresh cluster from node 1's datadir
  # (the joiners get a full state transfer). Tests reinstall the stand-in anyway.
  if ! { galera_node_running 1 && galera_node_running 2 && galera_node_running 3; }; then
    for n in 3 2 1; do galera_stop_node "$n" KILL; done
    rm -rf "$STACK/g/db2/data" "$STACK/g/db3/data"
    galera_start_node 1 --new-cluster
  fi
  mariadb --defaults-file="$(gcnf 1)" -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
    GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';"
  galera_start_node 2
  galera_start_node 3
}

galera_write_web() {
  FPM_DB_SOCKET="$(gdir 1)/mysqld.sock" write_fpm_conf
  FPM_DB_SOCKET="$(gdir 1)/mysqld.sock" write_fpm_conf noext
  FPM_DB_SOCKET="$(gdir 2)/mysqld.sock" write_fpm_conf web2
  local lb servers
  lb=$(render nginx-lb.conf.in "LB_PORT=$LB_PORT" "WEB1=127.0.0.1:$HTTP_PORT" "WEB2=127.0.0.1:$HTTP2_PORT")
  servers="$(nginx_server "$HTTP_PORT" "$STACK/run/php-fpm.sock")
$(nginx_server "$NOEXT_PORT" "$STACK/run/php-fpm-noext.sock")
$lb"
  render nginx.conf.in "STACK=$STACK" "PIDNAME=nginx" "SERVERS=$servers" > "$STACK/nginx.conf"
  render nginx.conf.in "STACK=$STACK" "PIDNAME=nginx-web2" \
    "SERVERS=$(nginx_server "$HTTP2_PORT" "$STACK/run/php-fpm-web2.sock")" > "$STACK/nginx-web2.conf"
}

start_web2() {
  if ! { running php-fpm-web2.pid && [ -S "$STACK/run/php-fpm-web2.sock" ]; }; then
    stop php-fpm-web2.pid KILL
    PHP_INI_SCAN_DIR=":$STACK/php.d" php-fpm8.2 -R -y "$STACK/php-fpm-web2.conf" -p "$STACK" -D
    wait_for "php-fpm (web node 2)" 200 test -S "$STACK/run/php-fpm-web2.sock"
  fi
  if ! running nginx-web2.pid; then
    mkdir -p "$STACK/tmp/nginx-web2"
    nginx -p "$STACK" -c "$STACK/nginx-web2.conf" -e "$STACK/log/nginx-web2-error.log" 2>>"$STACK/log/nginx-web2-error.log" \
      || die "nginx (web node 2) failed to start (see $STACK/log/nginx-web2-error.log)"
  fi
  wait_for "web node 2" 200 curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HTTP2_PORT/robots.txt"
}

stack_up_galera() {
  local t0; t0=$(date +%s.%N)
  mkdirs
  # Switching between the single-node and the Galera stack: the web nodes talk to other sockets.
  if [ "$(cat "$STACK/mode" 2>/dev/null || echo single)" != galera ]; then stack_down_all; fi
  ensure_packages
  local missing=() p
  for p in "${GALERA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  ensure_rust
  load_ports
  galera_load_ports
  galera_start_cluster
  echo galera > "$STACK/mode"
  write_php_ini
  if running php-fpm-web2.pid && [ "$EXT_SO" -nt "$STACK/run/php-fpm-web2.pid" ]; then stop php-fpm-web2.pid QUIT; fi
  galera_write_web
  start_fpm; start_fpm_noext
  write_webroot; start_nginx
  start_web2
  start_sandbox
  write_env
  galera_write_env
  setup_standin
  wait_for "stand-in over HTTP" 100 http_up
  log "Galera stack up in $(python3 -c "import sys;print(round($(date +%s.%N)-$t0,2))")s: web nodes http://127.0.0.1:$HTTP_PORT http://127.0.0.1:$HTTP2_PORT, front http://127.0.0.1:$LB_PORT (env: $STACK/env)"
  stack_status >&2 || true
}

# .stack/env in Galera mode: DB_SOCKET is node 1's (what web node 1 and the stand-in CLI use);
# PERFEX_URLS lists the web nodes, DB_SOCKETS the database nodes: comma separated (the file stays
# shell-sourceable), node 1 first.
galera_write_env() {
  local n sockets=""
  sed -i "s#^DB_SOCKET=.*#DB_SOCKET=$(gdir 1)/mysqld.sock#" "$STACK/env"
  for n in "${GALERA_NODES[@]}"; do sockets+="${sockets:+,}$(gdir "$n")/mysqld.sock"; done
  {
    echo "STACK_MODE=galera"
    echo "PERFEX_URLS=http://127.0.0.1:$HTTP_PORT,http://127.0.0.1:$HTTP2_PORT"
    echo "PERFEX_LB_URL=http://127.0.0.1:$LB_PORT"
    echo "DB_SOCKETS=$sockets"
    for n in "${GALERA_NODES[@]}"; do echo "DB_SOCKET_$n=$(gdir "$n")/mysqld.sock"; done
  } >> "$STACK/env"
}

stack_down_galera() {
  stop nginx-web2.pid QUIT
  stop php-fpm-web2.pid QUIT
  local n
  # Node 1 last: it then holds safe_to_bootstrap for the next bootstrap.
  for n in 3 2 1; do galera_stop_node "$n"; done
}

galera_status() {
  local n
  for n in "${GALERA_NODES[@]}"; do
    check "galera-$n" eval "galera_node_running $n && galera_synced $n"
  done
  check php-fpm-web2 eval 'running php-fpm-web2.pid && test -S "$STACK/run/php-fpm-web2.sock"'
  check nginx-web2 eval 'running nginx-web2.pid'
}
