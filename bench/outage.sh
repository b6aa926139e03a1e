#!/usr/bin/env bash
# Outage suite (see RELIABILITY.md, "Outages"). First the broker outage in distributed mode: `footfall broker`,
# collector, enricher and loader each in its own process, load with client-made event ids, the broker stopped
# for BROKER_SECONDS (default 60) and restarted on the same port and data dir. Then the warehouse outage: a
# standalone writing to PostgreSQL through a relay the suite cuts for WAREHOUSE_SECONDS (default 300); the
# PostgreSQL server itself is never stopped. 0 skips one. Exit code 1 when a promise was broken.
# Extra arguments go to `footfall outage-suite` (e.g. --kill, --postgres-url URL, --dir /tmp/outage).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/bin/footfall" outage-suite --broker-outage "${BROKER_SECONDS:-60}" \
  --warehouse-outage "${WAREHOUSE_SECONDS:-300}" "$@"
