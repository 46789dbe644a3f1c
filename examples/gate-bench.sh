#!/usr/bin/env bash
# The zone gate's throughput and added latency on loopback, for
# BENCHMARKS.md (not run by CI: the figures are measurements).
#
#   examples/gate-bench.sh
#
# Mosquitto on a loopback port, `hitgate gate` (release) with its state on
# a file, and crates/hitgate-host/examples/gate_load.rs playing 20 units
# and one recipient: 20,000 hits on 2,000 plates as fast as they go (the
# gate's throughput), then 2,000 hits at 200 a second (its latency at an
# ordinary load). With `--tls`, the gate reaches the broker over TLS (a
# second listener, certificates made here); the load stays plain.
# Needs: mosquitto, and openssl for --tls.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
PATH="$PATH:/usr/sbin:/sbin"
(cd "$root" && cargo build -q --release -p hitgate-host --bin hitgate --example gate_load)
target="${CARGO_TARGET_DIR:-$root/target}/release"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
cat > zone.toml <<'TOML'
[[recipient]]
name = "room"

[[rule]]
name = "all"
action = "dispatch"
recipients = ["room"]
TOML
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf "listener %s 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\nmax_queued_messages 100000\n" "$port" > mosquitto.conf
gate_url="mqtt://127.0.0.1:$port"
tls=()
if [ "${1:-}" = "--tls" ]; then
  p256=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  openssl req -x509 -days 1 -subj /CN=bench-ca -keyout ca.key -out ca.pem "${p256[@]}" 2>/dev/null
  openssl req -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout broker.key \
    -out broker.csr "${p256[@]}" 2>/dev/null
  openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
    -copy_extensions copy -out broker.pem 2>/dev/null
  tls_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Root drops to the mosquitto user before it reads the key.
  printf "user root\nlistener %s 127.0.0.1\nset_tcp_nodelay true\ncertfile %s/broker.pem\nkeyfile %s/broker.key\n" \
    "$tls_port" "$work" "$work" >> mosquitto.conf
  gate_url="mqtts://127.0.0.1:$tls_port"
  tls=(--tls-ca "$work/ca.pem")
fi
mosquitto -c mosquitto.conf >/dev/null 2>&1 &
sleep 0.5
run() { # name units hits plates rate
  rm -f state.json
  "$target/hitgate" gate --mqtt "$gate_url" ${tls[@]+"${tls[@]}"} --policy zone.toml --state "state.json" \
    --client-id "gate-$1" --cases 8192 --report "gate-$1.json" >/dev/null 2>"gate-$1.log" &
  local gate=$!
  sleep 1
  echo "$1: $("$target/examples/gate_load" "$port" "$2" "$3" "$4" "$5")"
  kill "$gate"; wait "$gate" 2>/dev/null || true
  grep -m1 "connected to" "gate-$1.log" | sed 's/^/  /'
  python3 -c "import json; r = json.load(open('gate-$1.json')); l = r['latency_ms']; \
print(f\"  gate: {r['hits']} hits decided; arrival to confirmed publication median {l['median']:.2f} ms, p99 {l['p99']:.2f} ms\")"
}
run flood 20 20000 2000 0
run paced 20 2000 500 200
