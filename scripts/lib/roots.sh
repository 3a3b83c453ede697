# shellcheck shell=bash
# Debian roots for scripts/release: made with mmdebstrap, cached OUTSIDE the clone (CI runs in a fresh
# clone each time) under $PAYBRIDGE_ROOT_CACHE (default /var/cache/paybridge/roots), keyed by suite and
# package list, rebuilt when missing. A root is only ever used through root_run (a private mount
# namespace: its bind mounts disappear with the process, even after a crash) or copied first
# (root_copy) when a step changes it (installing a .deb must start from a pristine root every time).
ROOT_CACHE=${PAYBRIDGE_ROOT_CACHE:-/var/cache/paybridge/roots}
DEBIAN_MIRROR=${PAYBRIDGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Bump to rebuild every cached root (e.g. when the mmdebstrap options below change).
ROOT_LAYOUT=1

# root_ensure SUITE PKG... : prints the cached root's path, building it first when missing.
root_ensure() {
  local suite=$1; shift
  local key dir tmp log
  key=$(printf '%s\n' "layout=$ROOT_LAYOUT" "$suite" "$@" | sort | sha256sum | cut -c1-12)
  dir="$ROOT_CACHE/$suite-$key"
  if [ -f "$dir/.paybridge-root-ok" ]; then printf '%s\n' "$dir"; return 0; fi
  command -v mmdebstrap >/dev/null || {
    echo "[roots] installing mmdebstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null; }
  }
  mkdir -p "$ROOT_CACHE"
  # One builder per root at a time (two CI jobs, or release and --verify started together).
  exec {lockfd}>"$ROOT_CACHE/.lock-$suite-$key"
  flock "$lockfd"
  if [ ! -f "$dir/.paybridge-root-ok" ]; then
    tmp="$dir.tmp.$$"; log="$ROOT_CACHE/$suite-$key.log"
    rm -rf "$tmp" "$dir"
    local t0=$SECONDS
    echo "[roots] building $suite root ($*) -> $dir (first run only; log: $log)" >&2
    # --variant=apt: essential + apt, then only what --include names (and its Depends).
    # No policy-rc.d needed: nothing here ships a daemon.
    local opts=(--aptopt='Acquire::Retries "3"')
    # Debian testing's Release file expires within days; a mirror that lags (or a clock ahead of it)
    # makes apt refuse it. Only a root of testing is made with the check off; stable suites never expire.
    case $suite in forky|testing|sid|unstable) opts+=(--aptopt='Acquire::Check-Valid-Until "false"') ;; esac
    if ! mmdebstrap --mode=root --variant=apt --include="$(IFS=,; echo "$*")" \
        "${opts[@]}" "$suite" "$tmp" "$DEBIAN_MIRROR" >"$log" 2>&1; then
      echo "[roots] mmdebstrap $suite failed; last lines of $log:" >&2; tail -20 "$log" >&2
      rm -rf "$tmp"; flock -u "$lockfd"; return 1
    fi
    printf '%s\n' "$suite" "$@" >"$tmp/.paybridge-root-ok"
    mv "$tmp" "$dir"
    echo "[roots] $suite root ready in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))" >&2
  fi
  flock -u "$lockfd"
  printf '%s\n' "$dir"
}

# root_copy SRC DEST : a throw-away copy of a cached root (cp -a keeps owners, modes and links).
root_copy() { rm -rf "$2"; cp -a "$1" "$2"; }

# root_run ROOT [--bind DIR]... [--] CMD... : runs CMD (as root) inside ROOT in a private mount
# namespace with /proc, /dev and /sys, sharing the host's network (the sandbox listens on the host's
# loopback). Each --bind DIR is mounted at the same path inside, so paths are identical in and out.
root_run() {
  local root=$1; shift
  local binds=()
  while [ $# -gt 0 ]; do
    case $1 in --bind) binds+=("$2"); shift 2 ;; --) shift; break ;; *) break ;; esac
  done
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  unshare --mount --propagation private -- bash -euo pipefail -c '
    root=$1; shift; n=$1; shift
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /sys "$root/sys"
    mkdir -p "$root/tmp"; mount -t tmpfs tmpfs "$root/tmp"
    for ((i = 0; i < n; i++)); do mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift; done
    exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
      HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
  ' root_run "$root" "${#binds[@]}" "${binds[@]}" "$@"
}
