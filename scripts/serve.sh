#!/usr/bin/env bash
# Serve the lab to a class: N Streamlit workers on this machine behind HAProxy.
#
#   scripts/serve.sh [--workers N] [--port P] [--address A] [--worker-port B] [--no-warm]
#
# Each worker is `python -m streamlit run app.py` on 127.0.0.1, ports B..B+N-1
# (B defaults to P+1), with one BLAS/OpenMP thread. HAProxy listens on A:P,
# keeps each browser on its worker with a cookie and checks /_stcore/health.
# Before HAProxy lets anyone in, every worker opens each page of each world once
# (bench/loadtest.py --warm), so the first student finds them computed.
# Ctrl+C (or SIGTERM) stops HAProxy and every worker. See docs/deployment.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/serve.sh [--workers N] [--port P] [--address A] [--worker-port B] [--no-warm]

Serve the lab to a class: N Streamlit workers behind HAProxy.

  --workers N      Streamlit worker processes (default: the number of CPU cores)
  --port P         port the class connects to (default: 8501)
  --address A      address HAProxy listens on (default: 0.0.0.0, every interface)
  --worker-port B  first worker port on 127.0.0.1; workers use B..B+N-1
                   (default: P+1)
  --no-warm        let the class in at once, without first opening every page
                   of every world on each worker (about 15-20 s)
  -h, --help       show this help

Environment: PYTHON (default: python3 of the active virtual environment),
HAPROXY (default: haproxy on PATH or in /usr/sbin),
SERVE_START_TIMEOUT (seconds to wait for the workers, default: 90).
Stop everything with Ctrl+C.
EOF
}

die() {
    echo "serve.sh: $*" >&2
    exit 1
}

is_count() {
    [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ]
}

workers="$(nproc 2>/dev/null || echo 1)"
port=8501
address=0.0.0.0
worker_port=""
warm=1

while [ "$#" -gt 0 ]; do
    case "$1" in
        --workers | --port | --address | --worker-port)
            [ "$#" -ge 2 ] || die "$1 needs a value (see --help)"
            case "$1" in
                --workers) workers="$2" ;;
                --port) port="$2" ;;
                --address) address="$2" ;;
                --worker-port) worker_port="$2" ;;
            esac
            shift 2
            ;;
        --workers=* | --port=* | --address=* | --worker-port=*)
            value="${1#*=}"
            case "$1" in
                --workers=*) workers="$value" ;;
                --port=*) port="$value" ;;
                --address=*) address="$value" ;;
                --worker-port=*) worker_port="$value" ;;
            esac
            shift
            ;;
        --no-warm)
            warm=0
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            die "unknown argument: $1 (see --help)"
            ;;
    esac
done

is_count "$workers" || die "--workers must be a whole number of at least 1, not '$workers'"
if ! is_count "$port" || [ "$port" -gt 65535 ]; then
    die "--port must be a port number, not '$port'"
fi
worker_port="${worker_port:-$((port + 1))}"
if ! is_count "$worker_port" || [ $((worker_port + workers - 1)) -gt 65535 ]; then
    die "--worker-port must leave room for $workers ports below 65536, not '$worker_port'"
fi
[ -n "$address" ] || die "--address must not be empty"
if [ "$worker_port" -le "$port" ] && [ "$port" -lt $((worker_port + workers)) ]; then
    die "the worker ports $worker_port..$((worker_port + workers - 1)) include --port $port"
fi

# Debian puts haproxy in /usr/sbin, which is not on an ordinary user's PATH.
haproxy="${HAPROXY:-$(PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v haproxy || true)}"
if [ -z "$haproxy" ] || [ ! -x "$haproxy" ]; then
    cat >&2 <<'EOF'
serve.sh: HAProxy is not installed; it spreads the class over the workers.
Install it (Debian/Ubuntu, as root):  apt-get install haproxy
For a single process without HAProxy, run:  streamlit run app.py
EOF
    exit 1
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || die "no Python found ('$python'); set PYTHON"
"$python" -c "import streamlit" 2>/dev/null ||
    die "'$python' cannot import streamlit: activate the lab's virtual environment" \
        "(. .venv/bin/activate) and run pip install -r requirements.txt"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="$root/deploy/haproxy.cfg.template"
[ -f "$template" ] || die "the HAProxy template is missing: $template"
cd "$root"

# True when something answers on 127.0.0.1:$1 (bash's /dev/tcp: no curl needed).
port_in_use() {
    (
        exec 2>/dev/null
        exec 3<>"/dev/tcp/127.0.0.1/$1"
    )
}

# True when http://127.0.0.1:$1/_stcore/health answers 200.
healthy() {
    local status
    status="$(
        exec 2>/dev/null
        exec 3<>"/dev/tcp/127.0.0.1/$1" &&
            printf 'GET /_stcore/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
            IFS= read -r -t 2 line <&3 &&
            printf '%s' "$line"
    )" || true
    [[ "$status" == "HTTP/1."[01]" 200"* ]]
}

if [ "$address" = 127.0.0.1 ] || [ "$address" = 0.0.0.0 ] || [ "$address" = localhost ]; then
    if port_in_use "$port"; then
        die "port $port is already in use; stop what runs there or choose another --port"
    fi
fi
for ((i = 0; i < workers; i++)); do
    p=$((worker_port + i))
    if port_in_use "$p"; then
        die "port $p (worker $((i + 1))) is already in use; stop what runs there" \
            "or choose other ports with --worker-port"
    fi
done

tmpdir=""
worker_pids=()
haproxy_pid=""

# Called by the traps below (hence shellcheck's "unreachable").
# shellcheck disable=SC2317
cleanup() {
    trap - EXIT INT TERM HUP
    if [ -n "$haproxy_pid" ]; then
        kill -TERM "$haproxy_pid" 2>/dev/null || true
    fi
    if [ "${#worker_pids[@]}" -gt 0 ]; then
        echo "serve.sh: stopping ${#worker_pids[@]} worker(s)" >&2
        kill -TERM "${worker_pids[@]}" 2>/dev/null || true
        # Give them 10 s to stop, then force.
        local waited=0
        while [ "$waited" -lt 100 ]; do
            local alive=0 pid
            for pid in "${worker_pids[@]}"; do
                if kill -0 "$pid" 2>/dev/null; then
                    alive=1
                fi
            done
            [ "$alive" -eq 1 ] || break
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "${worker_pids[@]}" 2>/dev/null || true
    fi
    if [ -n "$haproxy_pid" ]; then
        kill -KILL "$haproxy_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    if [ -n "$tmpdir" ]; then
        rm -rf "$tmpdir"
    fi
}

# shellcheck disable=SC2317
on_signal() {
    cleanup
    exit "$1"
}

trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# Copy stdin to stdout, each line after a prefix. It ignores Ctrl+C and SIGTERM
# and ends when its worker closes the pipe, so a worker's last words are shown.
prefix_lines() {
    trap '' INT TERM HUP
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%s%s\n' "$1" "$line"
    done
}

tmpdir="$(mktemp -d "${TMPDIR:-/tmp}/predict-or-explain-serve.XXXXXX")"

# One worker per core, one thread per worker: a worker runs its sessions' scripts
# under one interpreter lock, and numerical libraries must not spread over the
# cores the other workers use.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export PYTHONUNBUFFERED=1

echo "serve.sh: starting $workers worker(s) on 127.0.0.1, ports $worker_port to $((worker_port + workers - 1))" >&2
servers=""
server_sep=$'\n    ' # the template's indentation
for ((i = 1; i <= workers; i++)); do
    p=$((worker_port + i - 1))
    pid_file="$tmpdir/w$i.pid"
    # The worker writes its own process id (the subshell's, kept by exec), its
    # output goes through prefix_lines; `wait` can wait for both.
    {
        echo "$BASHPID" >"$pid_file"
        exec "$python" -m streamlit run app.py \
            --server.port "$p" \
            --server.address 127.0.0.1 \
            --server.headless true
    } 2>&1 | prefix_lines "[w$i] " &
    until [ -s "$pid_file" ]; do
        sleep 0.05
    done
    worker_pids+=("$(<"$pid_file")")
    servers+="${servers:+$server_sep}server w$i 127.0.0.1:$p cookie w$i check"
done

timeout_s="${SERVE_START_TIMEOUT:-90}"
deadline=$((SECONDS + timeout_s))
for ((i = 1; i <= workers; i++)); do
    p=$((worker_port + i - 1))
    until healthy "$p"; do
        if ! kill -0 "${worker_pids[$((i - 1))]}" 2>/dev/null; then
            die "worker w$i (port $p) stopped before it was ready; its output is above"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            die "worker w$i did not answer http://127.0.0.1:$p/_stcore/health within ${timeout_s} s"
        fi
        sleep 0.2
    done
done
echo "serve.sh: all $workers worker(s) answer /_stcore/health" >&2

# Compute what a class opens first before anyone asks: each page of each world,
# every preset, at the default settings (the caches are per worker).
if [ "$warm" -eq 1 ]; then
    echo "serve.sh: opening every page once on each worker (skip with --no-warm)" >&2
    warm_pids=()
    for ((i = 1; i <= workers; i++)); do
        p=$((worker_port + i - 1))
        "$python" bench/loadtest.py --warm --url "http://127.0.0.1:$p" 2>&1 |
            prefix_lines "[w$i] " &
        warm_pids+=("$!")
    done
    for pid in "${warm_pids[@]}"; do
        wait "$pid" || echo "serve.sh: a warm-up did not finish; the class starts anyway" >&2
    done
fi

config="$tmpdir/haproxy.cfg"
text="$(<"$template")"
text="${text//@BIND_ADDRESS@/$address}"
text="${text//@BIND_PORT@/$port}"
text="${text//@SERVERS@/$servers}"
printf '%s\n' "$text" >"$config"
if ! "$haproxy" -c -q -f "$config" >/dev/null 2>&1; then
    "$haproxy" -c -f "$config" >&2 || true
    die "HAProxy refused the configuration made from $template"
fi

shown_host="$address"
case "$address" in
    0.0.0.0 | "::" | "[::]") shown_host="localhost" ;;
esac
echo "serve.sh: the lab is at http://$shown_host:$port ($workers worker(s) behind HAProxy)." >&2
if [ "$shown_host" != "$address" ]; then
    ip="$(hostname -I 2>/dev/null || true)"
    ip="${ip%% *}"
    [ -n "$ip" ] || ip="<this machine's address>"
    echo "serve.sh: students open http://$ip:$port" >&2
fi
echo "serve.sh: stop with Ctrl+C." >&2

"$haproxy" -f "$config" -db &
haproxy_pid=$!
# `wait` returns when HAProxy exits or a trapped signal arrives (the trap then
# stops everything); if HAProxy stops by itself, stop the workers too.
status=0
wait "$haproxy_pid" || status=$?
haproxy_pid=""
echo "serve.sh: HAProxy stopped (exit code $status)" >&2
exit "$status"
