#!/usr/bin/env bash
# Removes what scripts/install-desktop.sh installed for the current user (launcher, icons, file type).
# Honours XDG_DATA_HOME like the installer; leaves the project, its .venv and any build alone.
set -euo pipefail

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
app_id="iam-desktop"
say() { printf '[iam-desktop uninstall] %s\n' "$*" >&2; }

rm -f "$data_home/applications/$app_id.desktop" "$data_home/mime/packages/$app_id.xml"
for icon in "$data_home"/icons/hicolor/*/apps/"$app_id".png "$data_home"/icons/hicolor/scalable/apps/"$app_id".svg; do
    if [ -e "$icon" ]; then rm -f "$icon"; fi
done

if [ -d "$data_home/mime" ] && command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$data_home/mime" || true
fi
if [ -d "$data_home/applications" ] && command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data_home/applications" || true
fi
say "removed IAM Desktop's launcher, icons and file type from $data_home"
