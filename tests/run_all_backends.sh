#!/usr/bin/env bash
# Runs the whole test suite once per Keras backend, each in its own pytest
# process (the backend is fixed when Keras is first imported).
set -u
cd "$(dirname "$0")/.."
status=0
for backend in jax tensorflow torch; do
  echo "=== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend python -m pytest tests -q -p no:cacheprovider --durations=5 "$@" || status=1
done
exit $status
