#!/usr/bin/env bash
# Starts a Prometheus on loopback with the week of `datasets/checkout.csv` backfilled as
# realistic series, for docs/prometheus.md and local trials. Runs in the foreground;
# Ctrl-C stops it. Needs `prometheus` and `promtool` (scripts/install-prometheus.sh).
#
#   scripts/prometheus-sample.sh                 # http://127.0.0.1:9090, data in a temp dir
#   scripts/prometheus-sample.sh --port 9191 --dir /tmp/prom-sample
#   scripts/prometheus-sample.sh --openmetrics-only out.om   # only write the OpenMetrics
#
# Series (labels service="checkout", or namespace/deployment for kube-state-metrics),
# one sample a minute from 2026-03-02T00:00:00Z to 2026-03-08T23:59:00Z, with the
# dataset's 30-minute gap on Friday and its 20-minute scrape failure on Thursday:
#
#   service:http_requests:rate1m                       = rps                (recorded rate)
#   http_requests_total{code="200"}                    counter, + rps·60 each minute
#   service:http_request_duration_seconds:p95          = latency_p95_ms / 1000
#   service:cpu_usage:ratio                            = cpu_pct / 100
#   kube_deployment_status_replicas{namespace="shop",deployment="checkout"} = replicas
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CSV="$ROOT/datasets/checkout.csv"
PORT=9090
DIR=""
OM_ONLY=""

while [ $# -gt 0 ]; do
    case "$1" in
        --port) PORT="$2"; shift 2 ;;
        --dir) DIR="$2"; shift 2 ;;
        --openmetrics-only) OM_ONLY="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "prometheus-sample: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# checkout.csv → OpenMetrics. Columns: timestamp,rps,replicas,cpu_pct,latency_p95_ms;
# an empty cell is a missing sample. One family after another, as OpenMetrics requires.
to_openmetrics() {
    awk -F, '
    function days_from_civil(y, m, d,    era, yoe, doy, doe, mp) {
        if (m <= 2) y -= 1
        era = int((y >= 0 ? y : y - 399) / 400)
        yoe = y - era * 400
        mp = (m + 9) % 12
        doy = int((153 * mp + 2) / 5) + d - 1
        doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
        return era * 146097 + doe - 719468
    }
    function unix(ts,    y, mo, d, h, mi, s) {
        # 2026-03-02T00:05:00Z
        y = substr(ts, 1, 4) + 0; mo = substr(ts, 6, 2) + 0; d = substr(ts, 9, 2) + 0
        h = substr(ts, 12, 2) + 0; mi = substr(ts, 15, 2) + 0; s = substr(ts, 18, 2) + 0
        return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
    }
    NR == 1 { next }
    {
        n++; t[n] = unix($1); rps[n] = $2; rep[n] = $3; cpu[n] = $4; lat[n] = $5
    }
    END {
        svc = "{service=\"checkout\"}"
        print "# HELP service:http_requests:rate1m Requests per second (recording rule)."
        print "# TYPE service:http_requests:rate1m gauge"
        for (i = 1; i <= n; i++) if (rps[i] != "") printf "service:http_requests:rate1m%s %s %d\n", svc, rps[i], t[i]
        print "# HELP http_requests Requests served."
        print "# TYPE http_requests counter"
        total = 0
        for (i = 1; i <= n; i++) if (rps[i] != "") {
            total += rps[i] * 60
            printf "http_requests_total{service=\"checkout\",code=\"200\"} %.2f %d\n", total, t[i]
        }
        print "# HELP service:http_request_duration_seconds:p95 95th-percentile latency (recording rule)."
        print "# TYPE service:http_request_duration_seconds:p95 gauge"
        for (i = 1; i <= n; i++) if (lat[i] != "") printf "service:http_request_duration_seconds:p95%s %.4f %d\n", svc, lat[i] / 1000, t[i]
        print "# HELP service:cpu_usage:ratio Mean CPU utilisation of the ready replicas (recording rule)."
        print "# TYPE service:cpu_usage:ratio gauge"
        for (i = 1; i <= n; i++) if (cpu[i] != "") printf "service:cpu_usage:ratio%s %.3f %d\n", svc, cpu[i] / 100, t[i]
        print "# HELP kube_deployment_status_replicas The number of replicas per deployment."
        print "# TYPE kube_deployment_status_replicas gauge"
        for (i = 1; i <= n; i++) if (rep[i] != "") printf "kube_deployment_status_replicas{namespace=\"shop\",deployment=\"checkout\"} %s %d\n", rep[i], t[i]
        print "# EOF"
    }' "$CSV"
}

if [ -n "$OM_ONLY" ]; then
    to_openmetrics > "$OM_ONLY"
    echo "prometheus-sample: wrote $OM_ONLY"
    exit 0
fi

for bin in prometheus promtool; do
    if ! command -v "$bin" >/dev/null 2>&1; then
        echo "prometheus-sample: $bin not found; run scripts/install-prometheus.sh" >&2
        exit 1
    fi
done

if [ -z "$DIR" ]; then
    DIR="$(mktemp -d "${TMPDIR:-/tmp}/scalerules-prom-sample.XXXXXX")"
    trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR/data"
if [ -z "$(ls -A "$DIR/data")" ]; then
    to_openmetrics > "$DIR/checkout.om"
    promtool tsdb create-blocks-from openmetrics --quiet "$DIR/checkout.om" "$DIR/data" >/dev/null
fi
printf 'global:\n  scrape_interval: 1m\n' > "$DIR/prometheus.yml"

cat <<EOF
prometheus-sample: serving datasets/checkout.csv at http://127.0.0.1:$PORT (data in $DIR)
  The data covers 2026-03-02T00:00:00Z .. 2026-03-08T23:59:00Z, so pick that range
  (e.g. in the UI: http://127.0.0.1:$PORT/graph, end time 2026-03-09 00:00, range 1w).
  Try:  curl -s 'http://127.0.0.1:$PORT/api/v1/query?query=service:http_requests:rate1m&time=2026-03-04T14:20:00Z'
Ctrl-C stops it.
EOF

# Not exec: the EXIT trap removes the temporary directory after Prometheus stops.
prometheus \
    --config.file="$DIR/prometheus.yml" \
    --storage.tsdb.path="$DIR/data" \
    --storage.tsdb.retention.time=100y \
    --web.listen-address="127.0.0.1:$PORT" \
    --log.level=warn &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' INT TERM
wait "$PID" || true
