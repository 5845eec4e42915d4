#!/usr/bin/env bash
# Sets up IAM Desktop (first run only) and runs the whole test suite headless; arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
cd "$project_dir"
export QT_QPA_PLATFORM=offscreen
exec "$venv/bin/python" -m pytest "$@"
