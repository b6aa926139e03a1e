#!/usr/bin/env bash
# Coverage-guided fuzzing of footfall's parsers with Jazzer (see the @FuzzTest classes).
#   bench/fuzz.sh                 every target, 30 minutes each
#   DURATION=5m bench/fuzz.sh     shorter
#   bench/fuzz.sh footfall-core CoreFuzzTest#rawTopicDecoderNeverThrowsUnchecked   one target
# The generated corpus stays in <module>/.cifuzz-corpus (not committed). A finding is written to
# <module>/src/test/resources/<package>/<Class>Inputs/<method>/crash-*: fix the bug, keep the file — it then
# runs as a regression input in every `mvn -B verify`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${DURATION:-30m}"

targets=()
if [ $# -eq 2 ]; then
  targets=("$1 $2")
else
  while IFS= read -r file; do
    module="${file%%/src/*}"
    class="$(basename "$file" .java)"
    while IFS= read -r method; do
      targets+=("$module $class#$method")
    done < <(grep -A1 '@FuzzTest' "$file" | grep -oE 'void [a-zA-Z0-9_]+' | awk '{print $2}')
  done < <(grep -rl '@FuzzTest' --include='*.java' . | grep -v '/target/' | sed 's#^\./##')
fi

status=0
for target in "${targets[@]}"; do
  read -r module test <<<"$target"
  echo "== fuzzing $module $test for $duration"
  if ! JAZZER_FUZZ=1 mvn -B test -pl "$module" -am -Dtest="$test" -Djazzer.max_duration="$duration" \
       -Dsurefire.failIfNoSpecifiedTests=false | grep -E 'DONE|Tests run:|crash|FAIL'; then
    status=1
  fi
done
exit $status
