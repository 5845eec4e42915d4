#!/usr/bin/env bash
# Creates .venv beside the project and installs IAM Desktop into it (editable, with test extras).
# Installs the system libraries Qt needs when they are missing (Debian/Ubuntu, as root or with sudo).
# Sourced by run-app.sh and run-tests.sh; safe to run again: it only does what is missing.
set -euo pipefail

project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$project_dir/.venv"
python_bin="${PYTHON:-python3}"

say() { printf '[iam-desktop setup] %s\n' "$*" >&2; }

apt_install() {
    local runner=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then runner=(sudo); else
            say "missing system libraries ($*); install them with: apt-get install -y $*"; return 0; fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing system libraries ($*) and no apt-get here; install their equivalents by hand"; return 0
    fi
    say "installing system libraries: $*"
    DEBIAN_FRONTEND=noninteractive "${runner[@]}" apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive "${runner[@]}" apt-get install -y -qq "$@" >&2
}

if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Python 3.11 or newer is needed (found: $("$python_bin" --version 2>&1)); set PYTHON=/path/to/python3.11"
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! "$python_bin" -m venv --help >/dev/null 2>&1 || ! "$python_bin" -c 'import ensurepip' 2>/dev/null; then
        apt_install python3-venv
    fi
    say "creating $venv"
    "$python_bin" -m venv "$venv"
fi

stamp="$venv/.iam-desktop-installed"
wanted="$(cat "$project_dir/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "installing Python packages into .venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2 || true
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$project_dir[test]" >&2
    echo "$wanted" > "$stamp"
fi

qt_plugins="$("$venv/bin/python" -c 'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms")')"
missing_libraries() {
    # Prints the shared libraries the given Qt platform plugin cannot find.
    ldd "$qt_plugins/$1" 2>/dev/null | awk '/not found/ {print $1}' | sort -u
}
needs_apt=()
if [ -n "$(missing_libraries libqoffscreen.so)" ]; then
    needs_apt+=(libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libglib2.0-0 libdbus-1-3)
fi
if [ "${IAM_DESKTOP_SETUP_GUI:-0}" = 1 ] && [ -n "$(missing_libraries libqxcb.so)" ]; then
    needs_apt+=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
                libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libegl1 libgl1
                libfontconfig1 libdbus-1-3 fonts-dejavu-core)
fi
if [ ${#needs_apt[@]} -gt 0 ]; then apt_install "${needs_apt[@]}"; fi
