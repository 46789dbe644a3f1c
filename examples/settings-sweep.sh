#!/usr/bin/env bash
# The evidence settings one at a time, against their defaults, on generated
# days (consensus): P0+P1 recall and dispatch precision, wrong dispatches,
# misses and dispatch latency, as BENCHMARKS.md ("Hit quality") shows them.
#
#   examples/settings-sweep.sh [--seeds "1 2 3"] [--decoys "12 40"] [--error 0.05]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="1 2 3" decoys="12 40" err=0.05
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) seeds="$2"; shift 2 ;;
        --decoys) decoys="$2"; shift 2 ;;
        --error) err="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
cargo build --release -q -p hitgate-host
hitgate=target/release/hitgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for seed in $seeds; do
    for d in $decoys; do
        "$hitgate" gen --preset day --seed "$seed" --decoys "$d" --error-rate "$err" \
            --out "$work/s-$seed-$d" >/dev/null
    done
done

# variant NAME SED: every scenario replayed with its policy edited by SED;
# one line: medians of recall and precision, sums of wrong and missed,
# medians of the latency median and p99.
variant() {
    local name=$1 expr=$2 evals=()
    for seed in $seeds; do
        for d in $decoys; do
            s="$work/s-$seed-$d"
            sed -e "$expr" "$s/policy.toml" >"$s/p-$name.toml"
            "$hitgate" replay --quiet --reads "$s/reads.jsonl" --lists "$s/lists.csv" \
                --policy "$s/p-$name.toml" --out "$s/o-$name" >/dev/null
            "$hitgate" eval --json --hits "$s/o-$name/hits.jsonl" --truth "$s/truth.jsonl" \
                >"$s/e-$name.json"
            evals+=("$s/e-$name.json")
        done
    done
    python3 - "$name" "${evals[@]}" <<'EOF'
import json, statistics, sys
rec, pre, lat, p99, wrong, missed = [], [], [], [], 0, 0
for path in sys.argv[2:]:
    e = json.load(open(path))
    p = [e["by_priority"][k] for k in ("P0", "P1")]
    s = lambda k: sum(x[k] for x in p)
    rec.append(s("dispatched_right") / s("should_dispatch"))
    pre.append(s("dispatched_real") / max(1, s("dispatched")))
    wrong += s("dispatched") - s("dispatched_real")
    missed += s("should_dispatch") - s("dispatched_right")
    lat.append(e["latency_median_ms"] or 0)
    p99.append(e["latency_p99_ms"] or 0)
m = statistics.median
print(f"{sys.argv[1]:<12} recall {m(rec):.3f}  precision {m(pre):.3f}  wrong {wrong:>4}  "
      f"missed {missed:>3}  latency {m(lat) / 1000:.1f} s  p99 {m(p99) / 1000:.1f} s")
EOF
}

evidence() { echo "/^\[config.evidence\]/,/^$/{s/^ocr = .*/ocr = $1/;s/^edits = .*/edits = $2/}"; }
variant defaults ''
variant grace-0 's/^camera_grace_ms = .*/camera_grace_ms = 0/'
variant grace-1000 's/^camera_grace_ms = .*/camera_grace_ms = 1000/'
variant grace-6000 's/^camera_grace_ms = .*/camera_grace_ms = 6000/'
variant support-1 's/^lookalike_support = .*/lookalike_support = 1/'
variant support-3 's/^lookalike_support = .*/lookalike_support = 3/'
variant unrelated-2 's/^unrelated_support = .*/unrelated_support = 2/'
variant evidence-0-0 "$(evidence 0 0)"
variant evidence-2-1 "$(evidence 2 1)"
variant changes-3 's/^evidence_changes = .*/evidence_changes = 3/'
variant changes-4 's/^evidence_changes = .*/evidence_changes = 4/'
