#!/usr/bin/env bash
# Runs the whole test suite once per Keras backend, each in its own pytest
# process (the backend is fixed when Keras is first imported). With
# pytest-xdist (the `tests` extra) each backend's tests are shared out over
# up to 4 worker processes, one per core; the files whose tests share an
# expensive module fixture are kept on one worker (their `xdist_group`).
set -u
cd "$(dirname "$0")/.."
workers=()
if python -c "import xdist" 2>/dev/null; then
  cores=$(python -c "import os; print(min(4, len(os.sched_getaffinity(0))))")
  if [ "$cores" -gt 1 ]; then
    workers=(-n "$cores" --dist loadgroup)
  fi
fi
status=0
for backend in jax tensorflow torch; do
  echo "=== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend python -m pytest tests -q -p no:cacheprovider \
    --durations=5 "${workers[@]}" "$@" || status=1
done
exit $status
