"""Persistent user settings (recent files, window geometry, theme) over QSettings, tolerant of broken files."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ORGANIZATION = "IAM Desktop"
APPLICATION = "IAM Desktop"
MAX_RECENT_FILES = 10
SETTINGS_FILE_ENV = "IAM_DESKTOP_SETTINGS"

_RECENT_KEY = "files/recent"
_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"
_THEME_KEY = "appearance/theme"


class Theme(StrEnum):
    """The colour scheme the user chose: follow the desktop, or force light or dark."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


_COLOR_SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}


class AppSettings:
    """The user's settings, read and written through ``QSettings``.

    Every getter validates what it reads and falls back to a default, so a settings file that is
    missing, unreadable, or full of garbage never stops the application from starting; ``problem()``
    says what was wrong so the GUI can mention it.

    Parameters
    ----------
    path
        An INI file to use instead of the platform's standard location (tests, portable installs).
        When omitted, the environment variable ``IAM_DESKTOP_SETTINGS`` names such a file if set;
        otherwise the native store for organisation and application "IAM Desktop" is used.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None and os.environ.get(SETTINGS_FILE_ENV):
            path = Path(os.environ[SETTINGS_FILE_ENV])
        if path is None:
            self._settings = QSettings(ORGANIZATION, APPLICATION)
        else:
            self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    def file_name(self) -> str:
        """Return where the settings are stored (a file path, or a registry key on Windows)."""
        return self._settings.fileName()

    def problem(self) -> str | None:
        """Return a sentence describing why the stored settings could not be used, or ``None``.

        Returns
        -------
        str or None
            ``None`` when the settings were read (or did not exist yet); otherwise a message naming
            the file and whether it was unreadable or malformed.
        """
        status = self._settings.status()
        if status == QSettings.Status.AccessError:
            return f"settings file {self.file_name()} cannot be read or written; defaults are used"
        if status == QSettings.Status.FormatError:
            return f"settings file {self.file_name()} is malformed; defaults are used"
        return None

    def recent_files(self) -> list[Path]:
        """Return the recently opened model files, newest first, that still exist (at most 10).

        Returns
        -------
        list of Path
            Absolute paths of existing files; entries that are missing or not text are dropped.
        """
        raw = self._settings.value(_RECENT_KEY, [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            return []
        files: list[Path] = []
        for entry in raw:
            if not isinstance(entry, str) or not entry:
                continue
            path = Path(entry)
            if path.is_absolute() and path.is_file() and path not in files:
                files.append(path)
        return files[:MAX_RECENT_FILES]

    def add_recent_file(self, path: Path) -> None:
        """Put ``path`` at the front of the recent files (moving it if already listed).

        Parameters
        ----------
        path
            The model file just opened or saved; made absolute before it is stored.
        """
        path = path.resolve()
        files = [path] + [entry for entry in self.recent_files() if entry != path]
        self._write_recent(files[:MAX_RECENT_FILES])

    def remove_recent_file(self, path: Path) -> None:
        """Drop ``path`` from the recent files (for instance after it failed to open)."""
        path = path.resolve()
        self._write_recent([entry for entry in self.recent_files() if entry != path])

    def clear_recent_files(self) -> None:
        """Forget every recent file."""
        self._write_recent([])

    def _write_recent(self, files: list[Path]) -> None:
        self._settings.setValue(_RECENT_KEY, [str(entry) for entry in files])

    def window_geometry(self) -> QByteArray | None:
        """Return the saved main-window geometry (for ``QWidget.restoreGeometry``), or ``None``."""
        return self._byte_array(_GEOMETRY_KEY)

    def set_window_geometry(self, geometry: QByteArray) -> None:
        """Store the main-window geometry (from ``QWidget.saveGeometry``)."""
        self._settings.setValue(_GEOMETRY_KEY, geometry)

    def window_state(self) -> QByteArray | None:
        """Return the saved dock and toolbar layout (for ``QMainWindow.restoreState``), or ``None``."""
        return self._byte_array(_STATE_KEY)

    def set_window_state(self, state: QByteArray) -> None:
        """Store the dock and toolbar layout (from ``QMainWindow.saveState``)."""
        self._settings.setValue(_STATE_KEY, state)

    def _byte_array(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes) and value:
            return QByteArray(value)
        return None

    def theme(self) -> Theme:
        """Return the chosen theme; anything unrecognised reads as ``Theme.SYSTEM``."""
        value = self._settings.value(_THEME_KEY, Theme.SYSTEM.value)
        try:
            return Theme(str(value).strip().lower())
        except ValueError:
            return Theme.SYSTEM

    def set_theme(self, theme: Theme) -> None:
        """Store the chosen theme."""
        self._settings.setValue(_THEME_KEY, Theme(theme).value)

    def sync(self) -> None:
        """Write pending changes to permanent storage now (Qt also does so on exit)."""
        self._settings.sync()


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, readable everywhere (text, placeholders, disabled, tooltips)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, color in ((roles.Window, "#2b2b2b"), (roles.WindowText, "#e8e8e8"), (roles.Base, "#1f1f1f"),
                        (roles.AlternateBase, "#292929"), (roles.ToolTipBase, "#3a3a3a"),
                        (roles.ToolTipText, "#f0f0f0"), (roles.PlaceholderText, "#a0a0a0"), (roles.Text, "#e8e8e8"),
                        (roles.Button, "#363636"), (roles.ButtonText, "#e8e8e8"), (roles.BrightText, "#ff6b6b"),
                        (roles.Light, "#4a4a4a"), (roles.Midlight, "#3c3c3c"), (roles.Mid, "#5a5a5a"),
                        (roles.Dark, "#1a1a1a"), (roles.Shadow, "#000000"), (roles.Highlight, "#2f74c0"),
                        (roles.HighlightedText, "#ffffff"), (roles.Link, "#6cb4ff"), (roles.LinkVisited, "#c39bff")):
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.PlaceholderText):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    palette.setColor(disabled, roles.Base, QColor("#262626"))
    palette.setColor(disabled, roles.Button, QColor("#303030"))
    return palette


def is_dark(palette: QPalette) -> bool:
    """True when the palette draws light text on a dark background."""
    return palette.color(QPalette.ColorRole.Base).lightness() < palette.color(QPalette.ColorRole.Text).lightness()


_original_palette: QPalette | None = None


def apply_theme(theme: Theme) -> None:
    """Draw the running application in the given colour scheme.

    Parameters
    ----------
    theme
        ``Theme.SYSTEM`` follows the desktop; ``LIGHT`` and ``DARK`` force that scheme. Qt is asked first;
        where the platform does not follow (no platform theme, e.g. plain X11), the Fusion style's palette
        is set instead. Does nothing when no ``QApplication`` exists yet.
    """
    global _original_palette
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    theme = Theme(theme)
    if _original_palette is None:
        _original_palette = QPalette(app.palette())
    app.styleHints().setColorScheme(_COLOR_SCHEMES[theme])
    if theme is Theme.SYSTEM:
        app.setPalette(_original_palette)
    elif is_dark(app.palette()) != (theme is Theme.DARK):
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        app.setPalette(dark_palette() if theme is Theme.DARK else app.style().standardPalette())
