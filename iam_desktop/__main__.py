"""``python -m iam_desktop`` / ``iam-desktop``: the GUI, or the command line when given a subcommand."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    from iam_desktop.gui.main_window import MainWindow

log = logging.getLogger("iam_desktop")

LOG_LEVEL_ENV = "IAM_DESKTOP_LOG_LEVEL"
HELP_CLI = "--help-cli"
SMOKE_TIMEOUT_S = 30.0
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main(argv: list[str] | None = None) -> int:
    """Run IAM Desktop and return the process exit code.

    Parameters
    ----------
    argv
        The arguments after the program name (``sys.argv[1:]`` when omitted). When the first one is
        a CLI subcommand (``check``, ``who-can``, ...) or ``--help-cli``, the command line runs and
        Qt is never imported; otherwise the GUI starts with the given model files, each in a window.

    Returns
    -------
    int
        The CLI's exit code, or the GUI's (0 on a normal exit; non-zero when ``--smoke`` failed).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    level = logging.getLevelName(os.environ.get(LOG_LEVEL_ENV, "WARNING").upper())
    logging.basicConfig(level=level if isinstance(level, int) else logging.WARNING, format="%(name)s: %(message)s")
    if args and args[0] == HELP_CLI:
        return _run_cli(["--help"])
    if args and not args[0].startswith("-"):
        from iam_desktop.cli import SUBCOMMANDS

        if args[0] in SUBCOMMANDS:
            return _run_cli(args)
    return _run_gui(args)


def _run_cli(args: list[str]) -> int:
    """Run the command line and turn argparse's ``SystemExit`` into a return code."""
    from iam_desktop.cli import main as cli_main

    try:
        return cli_main(args)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iam-desktop",
        description="Draw AWS IAM access models and get explained authorization decisions, offline.",
        epilog=f"Command line: iam-desktop SUBCOMMAND ... (see iam-desktop {HELP_CLI}).",
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="MODEL", help="model files to open, one window each")
    parser.add_argument(
        "--new-instance", action="store_true", help="start a separate app instead of handing files to a running one"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the given (or bundled example) model, wait until the window is shown, print the entity count, exit",
    )
    return parser


def _run_gui(args: list[str]) -> int:
    """Start the Qt application (Qt options such as ``-platform`` are taken by Qt first)."""
    parser = _parser()
    if "-h" in args or "--help" in args:
        parser.print_help()  # before Qt starts: help must work without a display
        return 0
    missing = _missing_display(args)
    if missing:
        if "--smoke" not in args:
            print(f"iam-desktop: cannot show a window: {missing}. Start it in a desktop session, or use the command "
                  f"line (iam-desktop {HELP_CLI}).", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the smoke check needs no screen
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *args])
    options = parser.parse_args(app.arguments()[1:] if existing is None else args)
    _configure(app)
    if options.smoke:
        return _smoke(app, options.files[0] if options.files else None)

    from iam_desktop.gui.single_instance import InstanceServer, send_to_running_instance, server_name

    if not options.new_instance and send_to_running_instance(options.files):
        log.info("handed %d file(s) to the running instance", len(options.files))
        return 0
    server = InstanceServer(app)
    if server.listen():
        log.info("listening on %s", server_name())
    windows = _Windows()
    server.files_received.connect(windows.open_files)
    app.installEventFilter(_file_open_filter(app, windows))
    for path in options.files or [None]:
        windows.open(path)
    return app.exec()


def _missing_display(args: list[str]) -> str:
    """Why no window can be shown here ("" when one can): a Linux session without a display, where Qt would abort
    (unless a platform plugin is chosen with ``QT_QPA_PLATFORM`` or ``-platform``)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM") or "-platform" in args:
        return ""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def _configure(app: QApplication) -> None:
    """Name the application (settings, desktop integration), set its icon, error hook and chosen theme."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    import iam_desktop
    from iam_desktop.gui.errors import install_excepthook
    from iam_desktop.gui.settings import APPLICATION, ORGANIZATION, AppSettings, apply_theme
    from iam_desktop.paths import resources_dir

    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(iam_desktop.__version__)
    app.setDesktopFileName("iam-desktop")
    icon = QIcon()
    icon_dir = resources_dir() / "icons" / "app"
    for size in APP_ICON_SIZES:
        icon.addFile(str(icon_dir / f"iam-desktop-{size}.png"))
    app.setWindowIcon(icon)
    install_excepthook(QApplication.activeWindow)
    settings = AppSettings()
    problem = settings.problem()
    if problem:
        log.warning("%s", problem)
    apply_theme(settings.theme())


class _Windows:
    """The open main windows: keeps them alive and opens handed-over files in new ones.

    A window that was closed (hidden: the main window does not delete itself) is let go the next
    time a window opens, so its document is freed.
    """

    def __init__(self) -> None:
        self._windows: list[MainWindow] = []

    def open(self, path: Path | None) -> MainWindow:
        """Open ``path`` (or the welcome model) in a new, shown and raised window."""
        from iam_desktop.gui.app import create_main_window

        self._windows = [window for window in self._windows if window.isVisible()]
        window = create_main_window(path)
        self._windows.append(window)
        window.show()
        window.raise_()
        window.activateWindow()
        log.info("opened %s in window %d", path if path is not None else "the welcome model", len(self._windows))
        return window

    def open_files(self, files: list[Path]) -> None:
        """Open each handed-over file in a new window; with none, bring the newest open window to the front."""
        shown = [window for window in self._windows if window.isVisible()]
        if files or not shown:
            targets: list[Path | None] = list(files) if files else [None]
            for path in targets:
                self.open(path)
            return
        shown[-1].showNormal()
        shown[-1].raise_()
        shown[-1].activateWindow()


def _file_open_filter(app: QApplication, windows: _Windows) -> QObject:
    """An application event filter that opens macOS "open document" events (Finder) in new windows."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QFileOpenEvent

    class FileOpenFilter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if isinstance(event, QFileOpenEvent) and event.file():
                windows.open(Path(event.file()))
                return True
            return super().eventFilter(watched, event)

    return FileOpenFilter(app)


def _smoke(app: QApplication, path: Path | None) -> int:
    """Open one model in a window, wait until it is shown and the event loop is idle, report and exit.

    Any dialog showing meanwhile (an error box, a recovery offer) is closed and counted as a failure,
    so the check never hangs; so is a window that is not shown within ``SMOKE_TIMEOUT_S`` seconds.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog

    from iam_desktop.paths import default_example

    failures: list[str] = []

    def close_dialogs() -> None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                failures.append(f"a dialog opened: {widget.windowTitle()!r}")
                widget.close()

    watchdog = QTimer()
    watchdog.timeout.connect(close_dialogs)
    watchdog.start(200)
    model = path if path is not None else default_example()
    try:
        window = _Windows().open(model)
    except Exception as error:  # noqa: BLE001 - the smoke check reports every failure as exit code 1
        print(f"smoke failed: cannot open {model}: {error!r}", file=sys.stderr)
        return 1
    deadline = time.monotonic() + SMOKE_TIMEOUT_S
    while not (window.isVisible() and window.windowHandle() is not None and window.windowHandle().isExposed()):
        if time.monotonic() > deadline:
            failures.append(f"the window was not shown within {SMOKE_TIMEOUT_S:.0f} s")
            break
        app.processEvents()
        time.sleep(0.005)
    QTimer.singleShot(0, app.quit)
    app.exec()
    watchdog.stop()
    close_dialogs()
    if failures:
        print(f"smoke failed: {'; '.join(failures)}", file=sys.stderr)
        return 1
    count = len(window.document.workspace)
    print(f"smoke ok: {count} entities", flush=True)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
