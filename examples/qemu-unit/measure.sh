#!/usr/bin/env bash
# Footprint and cost per read of the firmware, for BENCHMARKS.md (not run
# by CI: the figures are measurements, not pass/fail).
#
#   examples/qemu-unit/measure.sh
#   GRACE=0 EVIDENCE_OCR=0 EVIDENCE_EDITS=0 examples/qemu-unit/measure.sh
#   PROFILE=1 examples/qemu-unit/measure.sh
#
# PROFILE=1 adds where the Cortex-M4's instructions a read go, by function
# (the functions the compiler kept: what it inlined counts in its caller).
# GRACE, EVIDENCE_OCR and EVIDENCE_EDITS set the policy's camera_grace_ms
# and [config.evidence] (the defaults when unset), to see what each costs.
#
# Needs: qemu-system-arm, gcc, python3, rustup component llvm-tools.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="$root/target/qemu"
rustup component add llvm-tools >/dev/null 2>&1
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/host: //p')/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The instructions between each start and end mark in a counts file the
# plugin wrote, for the Python below.
cat > "$work/marks.py" <<'PY'
def marks(path):
    costs, start = [], None
    for line in open(path):
        kind, n = line.split()
        if kind == "S":
            start = int(n)
        elif kind == "E" and start is not None:
            costs.append(int(n) - start)
            start = None
    return costs
PY
export PYTHONPATH="$work"

# counted CPU MACHINE ELF RUN [PROFILE]: runs ELF in RUN under the
# instruction-counting plugin, which writes RUN/counts.txt (a count at each
# start and end mark) and, given PROFILE, the blocks run between marks.
counted() {
  local start end extra=""
  start=$("$bin/llvm-nm" "$3" | awk '$3=="hitgate_read_marker"{print "0x"$1}')
  end=$("$bin/llvm-nm" "$3" | awk '$3=="hitgate_read_done"{print "0x"$1}')
  # The first two pairs of marks are the image's verification and build.
  [ -n "${5:-}" ] && extra=",profile=$5,skip=2"
  (cd "$4" && timeout 900 qemu-system-arm -cpu "$1" -machine "$2" -nographic \
    -semihosting-config enable=on,target=native \
    -plugin "$work/libinsncount.so,start=$start,end=$end,out=$4/counts.txt$extra" -kernel "$3" >/dev/null 2>&1)
}

gcc -O2 -shared -fPIC -Wall -Wextra -o "$work/libinsncount.so" "$here/plugin/insncount.c"
(cd "$root" && CARGO_TARGET_DIR="$root/target" cargo build -q --release -p hitgate-host --bin hitgate)
hitgate="$root/target/release/hitgate"

# A realistic stream against 10,000 entries, every list tolerating one
# look-alike and one other edit.
"$hitgate" gen --out "$work/scen" --seed 21 --preset demo --hours 0.5 --list-scale 0.0945 >/dev/null
sed -i 's/^tolerance = .*/tolerance = { ocr = 1, edits = 1, min_len = 5 }/' "$work/scen/policy.toml"
sed -i -e "/^\[config.evidence\]/,/^\$/{s/^ocr = .*/ocr = ${EVIDENCE_OCR:-2}/;s/^edits = .*/edits = ${EVIDENCE_EDITS:-2}/}" \
  -e "s/^camera_grace_ms = .*/camera_grace_ms = ${GRACE:-3000}/" "$work/scen/policy.toml"
entries=$(($(wc -l < "$work/scen/lists.csv") - 1))
"$hitgate" keygen --out "$work/zone.key" >/dev/null
printf "$(sed 's/^[^ ]* //; s/../\\x&/g' "$work/zone.key.pub")" > "$work/trust.key"
"$hitgate" bundle build --lists "$work/scen/lists.csv" --policy "$work/scen/policy.toml" \
  --list-version 1 --key "$work/zone.key" --out "$work/lists.hgsb" >/dev/null
"$hitgate" prepare --reads "$work/scen/reads.jsonl" --bundle "$work/lists.hgsb" \
  --public "$work/zone.key.pub" --reads-only --out "$work/reads.bin" >/dev/null
echo "scenario: $entries list entries, $(wc -l < "$work/scen/reads.jsonl") reads"
# What the lists cost a unit that keeps its signed image in flash.
size=$(stat -c %s "$work/lists.hgsb")
echo "signed image: $size bytes, $(python3 -c "print(f'{$size / $entries:.1f}')") bytes an entry"

echo
echo "| target | board | flash (text+rodata+data) | static RAM (data+bss) | core code (symbols) |"
echo "|---|---|---|---|---|"
# core_code ELF: the text symbols of hitgate-core and the crates it pulls in.
core_code() {
  "$bin/llvm-nm" -S -C --size-sort "$1" | python3 -c '
import re, sys
total = 0
for line in sys.stdin:
    f = line.split(None, 3)
    if len(f) == 4 and f[2] in "tT" and re.search(r"hitgate_core|postcard|heapless|crc::|cobs::", f[3]):
        total += int(f[1], 16)
print(total)'
}
# The micro:bit is built for size (Cargo.toml's release-small), the others
# for speed within size (release).
for spec in "thumbv6m-none-eabi microbit release-small" "thumbv7m-none-eabi lm3s6965evb release" "thumbv7em-none-eabihf mps2-an386 release" ; do
  set -- $spec
  (cd "$here" && cargo build -q --profile "$3" --target "$1")
  elf="$CARGO_TARGET_DIR/$1/$3/hitgate-qemu-unit"
  read -r text rodata data bss < <("$bin/llvm-size" -A "$elf" | awk '$1==".text"{t=$2} $1==".rodata"{r=$2} $1==".data"{d=$2} $1==".bss"{b=$2} END{print t+0, r+0, d+0, b+0}')
  echo "| $1 | $2 ($3) | $((text + rodata + data)) B | $((data + bss)) B | $(core_code "$elf") B |"
done

# The micro:bit's two builds side by side: core code and instructions a
# read (its marks are around each read) over a small generated day (40
# look-alike cars, 5 % misread characters) against 60 of its entries, the
# stream run-all.sh replays on it.
"$hitgate" gen --out "$work/mb-all" --seed 11 --preset small --list-scale 0.0015 \
  --decoys 40 --error-rate 0.05 >/dev/null
{ head -1 "$work/mb-all/lists.csv"
  grep ',wanted,' "$work/mb-all/lists.csv" | head -30
  grep -E ',(stolen|local),' "$work/mb-all/lists.csv" | head -30
} > "$work/mb-lists.csv"
echo
echo "| micro:bit build | core code | reads | mean instr/read | median | p99 | max |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for profile in release release-small; do
  (cd "$here" && cargo build -q --profile "$profile" --target thumbv6m-none-eabi)
  elf="$CARGO_TARGET_DIR/thumbv6m-none-eabi/$profile/hitgate-qemu-unit"
  run="$work/run-mb-$profile"
  mkdir -p "$run"
  "$hitgate" prepare --reads "$work/mb-all/reads.jsonl" --lists "$work/mb-lists.csv" --out "$run/bundle.bin" >/dev/null
  counted cortex-m0 microbit "$elf" "$run"
  python3 - "$run/counts.txt" "$profile" "$(core_code "$elf")" <<'PY'
import sys
from marks import marks
costs = marks(sys.argv[1])
costs.sort()
print(f"| {sys.argv[2]} | {sys.argv[3]} B | {len(costs)} | {sum(costs) / len(costs):.0f} | "
      f"{costs[len(costs) // 2]} | {costs[len(costs) * 99 // 100]} | {costs[-1]} |")
PY
done

echo
echo "| target | board | entries | reads | mean instr/read | median | p99 | max |"
echo "|---|---|---|---|---|---|---|---|"
for spec in "thumbv7m-none-eabi cortex-m3 mps2-an385" "thumbv7em-none-eabihf cortex-m4 mps2-an386"; do
  set -- $spec
  (cd "$here" && cargo build -q --release --target "$1" --features mps2)
  elf="$CARGO_TARGET_DIR/$1/release/hitgate-qemu-unit"
  run="$work/run-$1"
  mkdir -p "$run"
  cp "$work/lists.hgsb" "$work/trust.key" "$work/reads.bin" "$run/"
  profile=""
  [ "${PROFILE:-0}" = 1 ] && [ "$2" = cortex-m4 ] && profile="$work/profile.txt"
  counted "$2" "$3" "$elf" "$run" "$profile"
  python3 - "$run/counts.txt" "$1" "$3" "$entries" "$work/scen/reads.jsonl" "$work/bylen-$1.txt" <<'PY'
import json, sys
from marks import marks
path, target, board, entries, reads, bylen = sys.argv[1:7]
costs = marks(path)
# The first two pairs of marks are the signed image's verification and
# the build of its lists.
(verify, build), costs = costs[:2], costs[2:]
with open(bylen, "w") as f:
    f.write(f"{target}: verifying the signed image: {verify} instructions; building its lists: {build}\n")
# Mean by plate length after normalisation (reads come in stream order).
lengths = [sum(c.isalnum() for c in json.loads(l)["plate"]) for l in open(reads)]
groups = {}
for c, n in zip(costs, lengths):
    groups.setdefault(n, []).append(c)
with open(bylen, "a") as f:
    f.write(f"{target}: mean by plate length: " + ", ".join(
        f"{n}: {sum(g) / len(g):.0f} ({len(g)} reads)" for n, g in sorted(groups.items())) + "\n")
costs.sort()
mean = sum(costs) / len(costs)
p99 = costs[min(len(costs) - 1, len(costs) * 99 // 100)]
print(f"| {target} | {board} | {entries} | {len(costs)} | {mean:.0f} | {costs[len(costs) // 2]} | {p99} | {costs[-1]} |")
PY
done
echo
cat "$work"/bylen-*.txt

# Where the Cortex-M4's instructions a read go, by function: each block
# counted between marks, put in the function whose symbol starts at or
# before it.
if [ "${PROFILE:-0}" = 1 ]; then
  elf="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/hitgate-qemu-unit"
  "$bin/llvm-nm" -n -C --defined-only "$elf" > "$work/symbols.txt"
  python3 - "$work/profile.txt" "$work/symbols.txt" "$work/run-thumbv7em-none-eabihf/counts.txt" <<'PY'
import bisect, re, sys
from marks import marks
profile, symbols, counts = sys.argv[1:4]
reads = len(marks(counts)) - 2  # the image's verification and build first
funcs = []
for line in open(symbols):
    parts = line.split(None, 2)
    if len(parts) == 3 and parts[1] in "tTwW":
        name = re.sub(r"::h[0-9a-f]{16}$", "", parts[2].strip())
        # What the demangler leaves of the legacy escapes.
        for esc, ch in (("$u7b$", "{"), ("$u7d$", "}"), ("$LT$", "<"), ("$GT$", ">"),
                        ("$u20$", " "), ("$RF$", "&"), ("$C$", ","), ("..", "::"), ("_{", "{"), ("_<", "<")):
            name = name.replace(esc, ch)
        funcs.append((int(parts[0], 16) & ~1, name))
funcs.sort()
starts = [a for a, _ in funcs]
by = {}
for line in open(profile):
    addr, insns, runs = line.split()
    i = bisect.bisect_right(starts, int(addr, 16)) - 1
    name = funcs[i][1] if i >= 0 else "?"
    by[name] = by.get(name, 0) + int(insns) * int(runs)
total = sum(by.values())
print(f"\nthumbv7em-none-eabihf, where a read's instructions go ({reads} reads):")
print("| function | instructions a read | share |")
print("|---|---:|---:|")
rows = sorted(by.items(), key=lambda x: -x[1])
per_read = sum(c for _, c in rows)
for name, c in rows[:25]:
    print(f"| `{name[:90]}` | {c / reads:.0f} | {100 * c / per_read:.1f} % |")
print(f"| all the reads' functions | {per_read / reads:.0f} | 100 % |")
core = sum(c for n, c in rows if "hitgate_core::" in n)
print(f"hitgate-core's functions {core / reads:.0f} a read, the rest (the firmware, its outbox"
      f" and audit chain, compiler builtins) {(per_read - core) / reads:.0f}")
PY
fi

# A delta of 100 changes (50 entries removed, 50 added) on the Cortex-M4,
# against the full build above: the marks are the verification, the build
# of version 1, then the delta's verification and application together.
python3 - "$work/scen/lists.csv" "$work/lists-2.csv" <<'PY'
import sys
src, dst = sys.argv[1:3]
lines = open(src).read().splitlines()
head, rows = lines[0], lines[1:]
kept = rows[50:]
lst = rows[0].split(",")[3]
added = [f"9DL{i:04d},BE,1,{lst},," for i in range(50)]
open(dst, "w").write("\n".join([head] + kept + added) + "\n")
PY
"$hitgate" bundle build --lists "$work/lists-2.csv" --policy "$work/scen/policy.toml" \
  --list-version 2 --key "$work/zone.key" --out "$work/lists-2.hgsb" >/dev/null
run="$work/run-delta"
mkdir -p "$run"
"$hitgate" bundle delta --from "$work/lists.hgsb" --to "$work/lists-2.hgsb" --key "$work/zone.key" \
  --out "$run/delta.hgsb" >/dev/null
cp "$work/lists.hgsb" "$work/trust.key" "$work/reads.bin" "$run/"
elf="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/hitgate-qemu-unit"
counted cortex-m4 mps2-an386 "$elf" "$run"
python3 - "$run/counts.txt" "$(stat -c %s "$run/delta.hgsb")" <<'PY'
import sys
from marks import marks
costs = marks(sys.argv[1])
verify, build, delta = costs[:3]
print(f"thumbv7em-none-eabihf: full image: verify {verify} + build {build} = {verify + build} instructions; "
      f"delta of 100 changes ({sys.argv[2]} bytes), verified and applied: {delta} ({(verify + build) / delta:.1f}x fewer)")
PY

# The same stream and lists with a policy of 50 zones of 32 points each
# (around the demo's cameras, which are given positions inside some of
# them) and a rule naming them all, against the same without zones.
python3 - "$work/scen/policy.toml" "$work/zones.toml" <<'PY'
import math, sys
src, dst = sys.argv[1:3]
import re
# The scenario's own camera positions give way to these.
text = re.sub(r'\[\[camera\]\]\nid = "[^"]*"\nposition = \[[^\]]*\]\n\n?', '', open(src).read())
out = []
for i in range(50):
    lat0, lon0 = 50.80 + 0.01 * (i // 10), 4.30 + 0.015 * (i % 10)
    pts = [[round(lat0 + 0.004 * math.sin(2 * math.pi * k / 32), 6),
            round(lon0 + 0.006 * math.cos(2 * math.pi * k / 32), 6)] for k in range(32)]
    out.append(f'[[zone]]\nname = "z{i:02d}"\npolygon = {pts}\n')
for c, i in [("cam-01", 0), ("cam-02", 11), ("cam-03", 22), ("cam-04", 49)]:
    lat0, lon0 = 50.80 + 0.01 * (i // 10), 4.30 + 0.015 * (i % 10)
    out.append(f'[[camera]]\nid = "{c}"\nposition = [{lat0}, {lon0}]\n')
names = ", ".join(f'"z{i:02d}"' for i in range(50))
# Last, after the scenario's `p2-not-local`, on purpose: it never applies
# (`hitgate` notes so), so both runs decide alike and differ only by the
# zones each passage is looked up in.
out.append(f'[[rule]]\nname = "p2-zones"\npriorities = [2]\nzones = [{names}]\naction = "dispatch"\n')
open(dst, "w").write(text + "\n" + "\n".join(out))
PY
"$hitgate" bundle build --lists "$work/scen/lists.csv" --policy "$work/zones.toml" \
  --list-version 1 --key "$work/zone.key" --out "$work/zones.hgsb" >/dev/null
run="$work/run-zones"
mkdir -p "$run"
cp "$work/zones.hgsb" "$run/lists.hgsb"
cp "$work/trust.key" "$work/reads.bin" "$run/"
counted cortex-m4 mps2-an386 "$elf" "$run"
python3 - "$run/counts.txt" "$work/run-thumbv7em-none-eabihf/counts.txt" <<'PY'
import sys
from marks import marks
def reads(path):
    return sorted(marks(path)[2:])
z, base = reads(sys.argv[1]), reads(sys.argv[2])
f = lambda c: f"mean {sum(c) / len(c):.0f}, median {c[len(c) // 2]}, p99 {c[len(c) * 99 // 100]}, max {c[-1]}"
print(f"thumbv7em-none-eabihf, 50 zones of 32 points: {f(z)}; without zones: {f(base)}")
PY
