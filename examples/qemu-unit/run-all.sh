#!/usr/bin/env bash
# Runs the firmware on its three QEMU boards and checks that the hit frames
# it writes are byte-for-byte the frames `hitgate replay --frames` writes
# for the same stream, lists and policy, with the same table sizes; on the
# boards with a flash outbox, through a restart with hits waiting in it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
host_target="${CARGO_TARGET_DIR:-$root/target}"
hitgate="$host_target/debug/hitgate"
(cd "$root" && CARGO_TARGET_DIR="$host_target" cargo build -q -p hitgate-host --bin hitgate)
export CARGO_TARGET_DIR="$host_target/qemu"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Scenarios: the hand-checked fixture, and a generated stream with lists
# small enough for the 64 KiB board.
mkdir -p "$work/basic" "$work/gen"
cp "$root/tests/fixtures/basic/reads.jsonl" "$root/tests/fixtures/basic/lists.csv" "$work/basic/"
"$hitgate" gen --out "$work/gen" --seed 11 --preset small --list-scale 0.004 >/dev/null

# board: target cpu machine passages suppression cameras scenarios
boards=(
  "thumbv6m-none-eabi cortex-m0 microbit 8 32 4 basic"
  "thumbv7m-none-eabi cortex-m3 lm3s6965evb 16 128 16 basic gen"
  "thumbv7em-none-eabihf cortex-m4 mps2-an386 32 1024 64 basic gen"
)
fail=0
for b in "${boards[@]}"; do
  set -- $b
  target=$1 cpu=$2 machine=$3 passages=$4 suppression=$5 cameras=$6
  shift 6
  (cd "$here" && cargo build -q --release --target "$target")
  elf="$CARGO_TARGET_DIR/$target/release/hitgate-qemu-unit"
  for scen in "$@"; do
    dir="$work/$scen"
    policy=()
    [ -f "$dir/policy.toml" ] && policy=(--policy "$dir/policy.toml")
    run="$work/run-$target-$scen"
    mkdir -p "$run"
    "$hitgate" replay --reads "$dir/reads.jsonl" --lists "$dir/lists.csv" "${policy[@]}" \
      --out "$run/host" --frames --quiet --passages "$passages" --suppression "$suppression" --cameras "$cameras" >/dev/null
    "$hitgate" prepare --reads "$dir/reads.jsonl" --lists "$dir/lists.csv" "${policy[@]}" --out "$run/bundle.bin" >/dev/null
    if ! (cd "$run" && timeout 300 qemu-system-arm -cpu "$cpu" -machine "$machine" -nographic \
      -semihosting-config enable=on,target=native -kernel "$elf" >"$run/log" 2>&1); then
      echo "  $target ($machine), $scen: THE FIRMWARE FAILED:" >&2
      sed 's/^/    /' "$run/log" >&2
      fail=1
      continue
    fi
    grep -v "^Timer with period zero" "$run/log" | sed 's/^/    /'
    hits=$(grep -c . "$run/host/hits.jsonl" || true)
    # Off the micro:bit the outbox is on flash and went through a restart
    # (the firmware checks what came back; this checks it happened).
    if [ "$target" != thumbv6m-none-eabi ] && ! grep -q "outbox on flash, at boot 2" "$run/log"; then
      echo "  $target ($machine), $scen: NO RESTART OF THE FLASH OUTBOX" >&2
      fail=1
    fi
    if cmp -s "$run/frames.bin" "$run/host/hits.frames"; then
      echo "  $target ($machine), $scen: $hits hits, frames identical to the host"
    else
      echo "  $target ($machine), $scen: FRAMES DIFFER from the host" >&2
      fail=1
    fi
  done
done
# The instruction-counting plugin builds and counts: one start and one end
# mark around each of the 16 reads of the fixture (numbers: measure.sh).
gcc -O2 -shared -fPIC -Wall -Wextra -Werror -o "$work/libinsncount.so" "$here/plugin/insncount.c"
elf="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/hitgate-qemu-unit"
start=0x$(nm "$elf" | awk '$3=="hitgate_read_marker"{print $1}')
end=0x$(nm "$elf" | awk '$3=="hitgate_read_done"{print $1}')
run="$work/run-thumbv7em-none-eabihf-basic"
(cd "$run" && timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native \
  -plugin "$work/libinsncount.so,start=$start,end=$end,out=$run/counts.txt" -kernel "$elf" >/dev/null 2>&1)
marks=$(grep -c '^[SE] [0-9]' "$run/counts.txt" || true)
if [ "$marks" = 32 ]; then
  echo "  instruction-counting plugin: 16 reads counted"
else
  echo "  instruction-counting plugin: expected 32 marks, got $marks" >&2
  fail=1
fi
exit $fail
