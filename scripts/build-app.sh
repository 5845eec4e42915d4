#!/usr/bin/env bash
# Builds the double-click app with PyInstaller into dist/iam-desktop/ (one folder) and prints its size and build time.
# Uses the project's .venv (created by setup-env.sh when missing) and installs the "package" extra into it.
# Arguments go to PyInstaller (e.g. --log-level WARN). Check the result: dist/iam-desktop/iam-desktop --smoke
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
say() { printf '[iam-desktop build] %s\n' "$*" >&2; }
cd "$project_dir"

if ! "$venv/bin/python" -c 'import PyInstaller' 2>/dev/null; then
    say "installing the packaging tools (the \"package\" extra) into .venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$project_dir[package]" >&2
fi

say "building dist/iam-desktop with PyInstaller $("$venv/bin/python" -m PyInstaller --version)"
started=$(date +%s)
"$venv/bin/python" -m PyInstaller --noconfirm --clean \
    --distpath "$project_dir/dist" --workpath "$project_dir/build/pyinstaller" \
    "$@" packaging/iam-desktop.spec
elapsed=$(( $(date +%s) - started ))

say "built $project_dir/dist/iam-desktop/iam-desktop"
say "size: $(du -sh dist/iam-desktop | cut -f1) ($(find dist/iam-desktop -type f | wc -l) files); build time: ${elapsed} s"
