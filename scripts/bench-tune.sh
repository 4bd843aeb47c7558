#!/bin/sh
# The `tune` benchmark of docs/performance.md, in one run: one plain `backtest` of
# rules/checkout.scale on the year-long 10-second file, then 1,000 variants of the same
# policy with 1 and with 2 worker threads, then 100 variants (peak memory against the
# number of variants). Needs a release build and the file:
#   cargo build --release
#   target/release/scalerules datasets generate --preset year-10s --out datasets
set -eu
BIN=${BIN:-target/release/scalerules}
DATA=${DATA:-datasets/large/checkout-year-10s.csv}
OUT=${OUT:-$(mktemp -d)}
RULES=$OUT/checkout-params.scale
# rules/checkout.scale with four of its numbers as parameters: 13 x 9 x 7 x 3 = 2,457
# combinations, so 1,000 variants are a Latin-hypercube sample (seed 1).
sed -e 's/^  when avg(cpu, 2m) > 65%/  param busy = 65% in 50%..80% step 2.5%\n  param slow = 250ms in 150ms..350ms step 25ms\n  param quiet = 40% in 20%..50% step 5%\n  param calm = 10m in [5m, 10m, 15m]\n  when avg(cpu, 2m) > $busy/' \
    -e 's/p95 > 250ms/p95 > $slow/' \
    -e 's/avg(cpu, 10m) < 40% for 10m/avg(cpu, 10m) < $quiet for $calm/' \
    rules/checkout.scale > "$RULES"
"$BIN" check "$RULES"
timed() {
    label=$1
    shift
    /usr/bin/time -f "$label: %e s wall, %U s user, %M KB peak RSS" "$@"
}
summary() {
    # The timings tune reports in its JSON.
    grep -E '"(threads|variants|shared_seconds|variant_seconds|variants_per_second)"' "$1" |
        tr -d ' ,' | tr '\n' ' '
    echo
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
timed "backtest (plain)" "$BIN" backtest rules/checkout.scale --data "$DATA" --format json > "$OUT/backtest.json"
for jobs in 1 2; do
    timed "tune 1000 variants, $jobs thread(s)" "$BIN" tune "$RULES" --data "$DATA" \
        --budget 1000 --jobs "$jobs" --format json > "$OUT/tune-1000-$jobs.json"
    summary "$OUT/tune-1000-$jobs.json"
done
timed "tune 100 variants, 2 threads" "$BIN" tune "$RULES" --data "$DATA" \
    --budget 100 --jobs 2 --format json > "$OUT/tune-100-2.json"
summary "$OUT/tune-100-2.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "outputs in $OUT"
