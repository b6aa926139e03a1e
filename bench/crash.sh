#!/usr/bin/env bash
# Crash suite (see RELIABILITY.md): drives load with client-made event ids at a standalone footfall, kills it
# with kill -9 at random moments (default 10 times), restarts it each time, waits until every stage has
# consumed everything, then compares acknowledged ids with the warehouse. Exit code 1 when an acknowledged
# event is missing or any event is stored twice. Extra arguments go to `footfall crash-suite`
# (e.g. --kills 3 --seed 7 --data-dir /tmp/crash). `bench/crash.sh --distributed` runs broker, collector,
# enricher and loader each in its own process and kills the roles in turn (--roles collector,enricher,loader).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/bin/footfall" crash-suite --kills "${KILLS:-10}" "$@"
