#!/usr/bin/env bash
# Installs IAM Desktop into the current user's desktop menu: launcher, icons and the .iamd.json file type.
# Usage: bash scripts/install-desktop.sh [--bundle | --exec PROGRAM]
#   (default) run the project's .venv:  .venv/bin/python -m iam_desktop  (set it up with scripts/run-app.sh)
#   --bundle  run the PyInstaller build dist/iam-desktop/iam-desktop (build it with scripts/build-app.sh)
#   --exec    run PROGRAM (an absolute path to an iam-desktop executable)
# Installs under ${XDG_DATA_HOME:-~/.local/share}; undo with scripts/uninstall-desktop.sh.
set -euo pipefail

project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
app_id="iam-desktop"
say() { printf '[iam-desktop install] %s\n' "$*" >&2; }

desktop_quote() {
    # Quotes one Exec argument as the Desktop Entry specification asks (double quotes; \ " ` $ escaped).
    local value="$1"
    value="${value//\\/\\\\\\\\}"
    value="${value//\"/\\\\\"}"
    value="${value//\`/\\\\\`}"
    value="${value//\$/\\\\\$}"
    printf '"%s"' "$value"
}

mode="venv"; program=""
while [ $# -gt 0 ]; do
    case "$1" in
        --bundle) mode="bundle"; shift ;;
        --exec) mode="exec"; program="${2:?--exec needs a program}"; shift 2 ;;
        -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) say "unknown argument: $1"; exit 2 ;;
    esac
done

work_dir=""
case "$mode" in
    venv)
        program="$project_dir/.venv/bin/python"
        if [ ! -x "$program" ]; then
            say "no virtual environment at $project_dir/.venv; run 'bash scripts/run-app.sh' once first"; exit 2
        fi
        exec_line="$(desktop_quote "$program") -m iam_desktop %F"
        work_dir="$project_dir" ;;
    bundle)
        program="$project_dir/dist/iam-desktop/iam-desktop"
        if [ ! -x "$program" ]; then say "no build at $program; run 'bash scripts/build-app.sh' first"; exit 2; fi
        exec_line="$(desktop_quote "$program") %F" ;;
    exec)
        case "$program" in /*) ;; *) say "--exec needs an absolute path"; exit 2 ;; esac
        if [ ! -x "$program" ]; then say "$program is not an executable file"; exit 2; fi
        exec_line="$(desktop_quote "$program") %F" ;;
esac

applications="$data_home/applications"
mime_packages="$data_home/mime/packages"
icons="$data_home/icons/hicolor"
mkdir -p "$applications" "$mime_packages" "$icons/scalable/apps"

desktop_file="$applications/$app_id.desktop"
{
    while IFS= read -r line; do
        case "$line" in
            Exec=*) printf 'Exec=%s\n' "$exec_line" ;;
            TryExec=*) printf 'TryExec=%s\n' "$program" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done < "$project_dir/resources/$app_id.desktop"
    if [ -n "$work_dir" ]; then printf 'Path=%s\n' "$work_dir"; fi
} > "$desktop_file.tmp"
mv "$desktop_file.tmp" "$desktop_file"
say "launcher: $desktop_file"

install -m 644 "$project_dir/resources/$app_id-mime.xml" "$mime_packages/$app_id.xml"
install -m 644 "$project_dir/resources/icons/app/$app_id.svg" "$icons/scalable/apps/$app_id.svg"
for png in "$project_dir/resources/icons/app/$app_id"-*.png; do
    size="${png##*-}"; size="${size%.png}"
    mkdir -p "$icons/${size}x${size}/apps"
    install -m 644 "$png" "$icons/${size}x${size}/apps/$app_id.png"
done
say "icons: $icons/*/apps/$app_id.*; file type: $mime_packages/$app_id.xml"

if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$data_home/mime" || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$applications" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$icons" || true
fi
say "done: 'IAM Desktop' is in the applications menu and opens .iamd.json files"
