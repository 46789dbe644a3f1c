#!/usr/bin/env bash
# Hit quality side by side: first-read, consensus as an earlier build
# decides, this build's consensus with evidence and syntax, and the same
# with a rule that sends P0/P1 hits of one frame matched only with
# tolerance to review (`max_reads = 1`: one-frame-review), and that rule
# where the frame spells a plate a car can carry (`read_fits = true`:
# fits-review; a frame no car can carry is the listed car misread and is
# dispatched), on the same
# generated scenarios (a day each), over decoy counts, look-alike error
# rates and seeds. Prints one line per scenario and method: recall and
# dispatch precision for P0+P1, and why dispatches were wrong or passages
# missed (`hitgate eval`'s second table).
#
#   examples/quality-sweep.sh [--baseline OLD_HITGATE] [--seeds "1 2 3"]
#                             [--decoys "12 40"] [--errors "0.02 0.05"]
#
# Without --baseline the earlier build's column is left out. The figures
# in BENCHMARKS.md ("Hit quality") name the commit of the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline="" seeds="1 2 3" decoys="12 40" errors="0.02 0.05" hours=24
while [ $# -gt 0 ]; do
    case "$1" in
        --baseline) baseline="$2"; shift 2 ;;
        --seeds) seeds="$2"; shift 2 ;;
        --decoys) decoys="$2"; shift 2 ;;
        --errors) errors="$2"; shift 2 ;;
        --hours) hours="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
cargo build --release -q -p hitgate-host
new=target/release/hitgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# P0+P1 figures and the reasons, from eval --json.
score() {
    python3 - "$1" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
p = [e["by_priority"][k] for k in ("P0", "P1")]
s = lambda k: sum(x[k] for x in p)
should, right = s("should_dispatch"), s("dispatched_right")
disp, real = s("dispatched"), s("dispatched_real")
print(f"{right/should if should else 1:.4f} {real/disp if disp else 1:.4f} {should} {should-right} "
      f"{s('missed_reviewed')} {s('missed_repeat')} {s('missed_one_frame')} {s('missed_unmatched')} {disp-real} "
      f"{s('dispatched_decoys')} {s('dispatched_decoys_one_frame')} {s('dispatched_unrelated')} "
      f"{s('dispatched_unrelated_one_frame')} "
      f"{s('duplicate_dispatches')} {s('late_dispatches')}")
EOF
}

printf '%-5s %-6s %-5s %-17s %7s %9s %6s %6s %8s %6s %9s %9s %6s %6s %9s %9s %9s %5s %5s\n' \
    seed decoys error method recall precision should missed reviewed repeat one-frame unmatched wrong decoys decoy-1fr unrelated unrel-1fr dup late
for seed in $seeds; do
    for d in $decoys; do
        for err in $errors; do
            s="$work/s-$seed-$d-$err"
            "$new" gen --preset day --hours "$hours" --seed "$seed" --decoys "$d" \
                --error-rate "$err" --out "$s" >/dev/null
            methods="first-read consensus one-frame-review fits-review"
            [ -n "$baseline" ] && methods="first-read earlier-consensus consensus one-frame-review fits-review"
            for m in $methods; do
                bin=$new policy="$s/policy.toml"
                case $m in
                    first-read)
                        policy="$s/policy-first.toml"
                        sed 's/^mode = .*/mode = "first-read"/' "$s/policy.toml" >"$policy" ;;
                    earlier-consensus)
                        # The earlier build knows none of these settings.
                        bin=$baseline policy="$s/policy-old.toml"
                        sed -e '/^camera_grace_ms/d' -e '/^unrelated_support/d' \
                            -e '/^\[config.evidence\]/,/^$/d' \
                            "$s/policy.toml" >"$policy" ;;
                    one-frame-review|fits-review)
                        # Before the generated policy's baseline rules.
                        policy="$s/policy-$m.toml" fits=""
                        [ "$m" = fits-review ] && fits="read_fits = true"
                        awk -v fits="$fits" '/^# The Brussels baseline/ {
                                print "[[rule]]\nname = \"p0-p1-one-fuzzy-frame\"\npriorities = [0, 1]"
                                print "kinds = [\"ocr\", \"edit\"]\nmax_reads = 1"
                                if (fits != "") print fits
                                print "action = \"review\"\nrecipients = [\"zone-dispatch\"]\n"
                             } { print }' "$s/policy.toml" >"$policy"
                        grep -q p0-p1-one-fuzzy-frame "$policy" ;;
                esac
                "$bin" replay --quiet --reads "$s/reads.jsonl" --lists "$s/lists.csv" \
                    --policy "$policy" --out "$s/out-$m" >/dev/null 2>&1
                "$new" eval --json --hits "$s/out-$m/hits.jsonl" --truth "$s/truth.jsonl" \
                    --reads "$s/reads.jsonl" >"$s/eval-$m.json"
                printf '%-5s %-6s %-5s %-17s ' "$seed" "$d" "$err" "$m"
                score "$s/eval-$m.json" | awk '{printf "%7s %9s %6s %6s %8s %6s %9s %9s %6s %6s %9s %9s %9s %5s %5s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15}'
            done
        done
    done
done
