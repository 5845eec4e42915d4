#!/usr/bin/env bash
# Sets up IAM Desktop (first run only) and starts it; arguments go to the app (a model file to open).
set -euo pipefail
IAM_DESKTOP_SETUP_GUI=1 source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
exec "$venv/bin/python" -m iam_desktop "$@"
