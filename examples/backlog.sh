#!/usr/bin/env bash
# A 15-day uplink outage and its drain, for BENCHMARKS.md (not run by CI:
# the figures are measurements, not pass/fail).
#
#   examples/backlog.sh
#
# 7,500 hits (15 days x 500: one priority-1 hit every 172.8 s) are stored
# by `hitgate replay --state` with no uplink, then a second run on the
# same state drains them to a Mosquitto broker on a loopback port while
# `hitgate listen` writes and acknowledges them. Needs: mosquitto.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
PATH="$PATH:/usr/sbin:/sbin"
(cd "$root" && cargo build -q --release -p hitgate-host --bin hitgate)
hitgate="${CARGO_TARGET_DIR:-$root/target}/release/hitgate"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

"$hitgate" gen --out scen --seed 15 --preset small >/dev/null
python3 - <<'PY'
import datetime, json
start = datetime.datetime(2026, 1, 5, tzinfo=datetime.timezone.utc)
letters = "ABCDEFGHJKLMNPRSTVWXYZ"
plates = [f"2{letters[i % 22]}{letters[i // 22 % 22]}{letters[i // 484 % 22]}{i % 1000:03d}"
          for i in range(7500)]
with open("lists.csv", "w") as f:
    f.write("plate,country,priority,list,valid_from,valid_until\n")
    f.writelines(f"{p},BE,1,stolen,,\n" for p in plates)
with open("reads.jsonl", "w") as f:
    for n, p in enumerate(plates):
        t = start + datetime.timedelta(seconds=n * 172.8)
        for k in range(3):
            ts = (t + datetime.timedelta(milliseconds=120 * k)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            f.write(json.dumps({"ts": ts, "camera": f"cam-{n % 4:02d}", "plate": p,
                                "country": "BE", "confidence": 95}) + "\n")
PY
: > none.jsonl
common=(--lists lists.csv --policy scen/policy.toml --quiet --state st --outbox 8192)

# The outage: everything stays on the unit's flash.
"$hitgate" replay --reads reads.jsonl --out fill "${common[@]}" >/dev/null 2>fill.log
python3 -c "import json; u = json.load(open('fill/report.json'))['uplink']; \
print(f\"stored: {u['waiting']} hits, {u['flash_bytes_written']} flash bytes ({u['flash_bytes_written'] / u['waiting']:.0f} a hit)\")"

# The uplink comes back.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mosquitto -p "$port" >/dev/null 2>&1 &
sleep 0.5
"$hitgate" listen --mqtt "mqtt://127.0.0.1:$port" --out got.jsonl --report listen.json \
  --idle-exit 3 --client-id central >/dev/null 2>&1 &
listener=$!
sleep 1
start=$(date +%s.%N)
"$hitgate" replay --reads none.jsonl --out drain "${common[@]}" \
  --mqtt "mqtt://127.0.0.1:$port" --drain 600 >/dev/null 2>drain.log
end=$(date +%s.%N)
wait "$listener"
python3 -c "import json; u = json.load(open('drain/report.json'))['uplink']; \
print(f\"drained: {u['acked']} acknowledged, {u['waiting']} waiting, in {$end - $start:.1f} s wall \
({u['acked'] / ($end - $start):.0f} hits a second), {$(wc -l < got.jsonl)} lines at the central side\")"
