"""The main window's actions, menus and toolbar (File, Edit, View, Help), with their shortcuts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QStyle, QToolBar


if TYPE_CHECKING:
    from iam_desktop.gui.main_window import MainWindow

SHORTCUTS_HELP = """<b>Canvas</b><br>
Drag a palette entry onto the canvas to add it (double-click it to add it in the middle).<br>
Connect: drag from a node's round handle, or hold <b>Shift</b> and drag, or press <b>C</b> for the Connect tool.<br>
Select: click, <b>Ctrl</b>+click to add, drag on empty canvas for a rubber band.<br>
Move: drag; arrow keys nudge (<b>Alt</b>+arrow: one pixel). Resize a frame by its bottom-right corner.<br>
Zoom: <b>Ctrl</b>+wheel, <b>Ctrl +</b> / <b>Ctrl -</b>; <b>Ctrl+0</b> fits the model, <b>Ctrl+1</b> is 100 %,
<b>Ctrl+2</b> zooms to the selection.<br>
Pan: the wheel scrolls (<b>Shift</b>+wheel sideways), drag with the middle button, or hold <b>Space</b> and drag.<br>
<b>Del</b> deletes, <b>Ctrl+C / Ctrl+V / Ctrl+D</b> copy, paste, duplicate; <b>Ctrl+F</b> finds a node;
<b>Esc</b> clears the highlight.<br><br>
<b>Asking</b><br>
Select a principal, then right-click a resource: <i>Ask: can … access …?</i> Or select both (<b>Ctrl</b>+click)
and press <b>Ctrl+Shift+A</b>. In the Question panel, <b>Ctrl+Return</b> asks.
<b>Ctrl+Shift+W</b> / <b>Ctrl+Shift+H</b> colour what a principal can reach / who can reach a resource."""


def build_menus(window: MainWindow) -> dict[str, QAction]:
    """Create every action of ``window`` with its menu entry and shortcut; returns them by name."""
    actions: dict[str, QAction] = {}
    style = window.style()

    def make(name: str, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None,
             checkable: bool = False) -> QAction:
        action = QAction(text, window)
        action.setObjectName(f"action-{name}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(lambda on, f=slot: f(on))  # type: ignore[call-arg]
        else:
            action.triggered.connect(lambda _checked=False, f=slot: f())
        actions[name] = action
        return action

    files, canvas, view, document = window.files, window.canvas_actions, window.view, window.document
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(make("new", "&New", files.new_model, QKeySequence.StandardKey.New))
    file_menu.addAction(make("open", "&Open…", files.open_dialog, QKeySequence.StandardKey.Open))
    recent_menu = file_menu.addMenu("Open &Recent")
    recent_menu.setObjectName("menu-recent")
    recent_menu.aboutToShow.connect(lambda: _fill_recent(window, recent_menu))
    actions["recent_menu"] = recent_menu.menuAction()
    file_menu.addAction(make("save", "&Save", files.save, QKeySequence.StandardKey.Save))
    file_menu.addAction(make("save_as", "Save &As…", files.save_as, "Ctrl+Shift+S"))
    file_menu.addSeparator()
    file_menu.addAction(make("import_aws", "&Import AWS Authorization Details…", files.import_dialog, "Ctrl+I"))
    file_menu.addAction(make("export_png", "Export Canvas as &PNG…", lambda: files.export_dialog("png"), "Ctrl+E"))
    file_menu.addAction(make("export_svg", "Export Canvas as S&VG…", lambda: files.export_dialog("svg"), "Ctrl+Shift+E"))
    file_menu.addSeparator()
    file_menu.addAction(make("quit", "&Quit", window.close, QKeySequence.StandardKey.Quit))

    undo = document.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = document.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    undo.setObjectName("action-undo")
    redo.setObjectName("action-redo")
    actions["undo"], actions["redo"] = undo, redo
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([undo, redo])
    edit_menu.addSeparator()
    edit_menu.addAction(make("copy", "&Copy", canvas.copy_selection, QKeySequence.StandardKey.Copy))
    edit_menu.addAction(make("paste", "&Paste", canvas.paste, QKeySequence.StandardKey.Paste))
    edit_menu.addAction(make("duplicate", "D&uplicate", canvas.duplicate, "Ctrl+D"))
    delete = make("delete", "&Delete", canvas.delete_selection)
    delete.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence("Backspace")])
    edit_menu.addAction(delete)
    edit_menu.addAction(make("select_all", "Select &All", canvas.select_all, QKeySequence.StandardKey.SelectAll))
    edit_menu.addSeparator()
    edit_menu.addAction(make("find", "&Find Node…", window.focus_search, QKeySequence.StandardKey.Find))
    connect_tool = make("connect_tool", "&Connect Tool", window.set_connect_tool, "C", True)
    connect_tool.setToolTip("Connect tool (C): every drag from a node draws an edge")
    edit_menu.addAction(connect_tool)
    snap = make("snap", "S&nap to Grid", lambda on: setattr(window.scene.interaction, "snap_to_grid", on),
                checkable=True)
    snap.setChecked(True)
    edit_menu.addAction(snap)

    view_menu = bar.addMenu("&View")
    view_menu.addAction(make("zoom_in", "Zoom &In", view.zoom_in, QKeySequence.StandardKey.ZoomIn))
    actions["zoom_in"].setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
    view_menu.addAction(make("zoom_out", "Zoom &Out", view.zoom_out, QKeySequence.StandardKey.ZoomOut))
    view_menu.addAction(make("fit", "&Fit to Window", view.fit_all, "Ctrl+0"))
    view_menu.addAction(make("actual_size", "&Actual Size", lambda: view.set_zoom(1.0), "Ctrl+1"))
    view_menu.addAction(make("zoom_selection", "Zoom to &Selection", view.zoom_to_selection, "Ctrl+2"))
    view_menu.addSeparator()
    view_menu.addAction(make("auto_layout", "Automatic &Layout", canvas.auto_layout, "Ctrl+L"))
    view_menu.addSeparator()
    theme_menu = view_menu.addMenu("&Theme")
    _add_theme_actions(window, theme_menu, actions)
    view_menu.addSeparator()
    actions["legend"] = window.legend_dock.toggleViewAction()
    actions["legend"].setText("&Legend")
    view_menu.addAction(actions["legend"])
    panels_menu = view_menu.addMenu("&Panels")
    for dock in [window.palette_dock, window.history_dock, *window.panel_docks]:
        panels_menu.addAction(dock.toggleViewAction())

    question = window.question_panel()
    if question is not None:
        ask_menu = bar.addMenu("&Question")
        ask_menu.addAction(make("ask_selection", "&Ask About the Selected Nodes", lambda: _ask_selection(window),
                                "Ctrl+Shift+A"))
        ask_menu.addAction(make("what_can", "&What Can the Selected Principal Reach?", question.show_what_can,
                                "Ctrl+Shift+W"))
        ask_menu.addAction(make("who_can", "W&ho Can Reach the Selected Resource?", question.show_who_can,
                                "Ctrl+Shift+H"))
        ask_menu.addAction(make("clear_highlight", "&Clear Highlight\tEsc", question.clear_highlight))

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(make("shortcuts", "&Shortcuts and Tips", lambda: QMessageBox.information(
        window, "Shortcuts and tips", SHORTCUTS_HELP), QKeySequence.StandardKey.HelpContents))
    help_menu.addAction(make("about", "&About IAM Desktop", lambda: _show_about(window)))

    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("toolbar-main")
    for action, theme_name, fallback in (
            (actions["new"], "document-new", QStyle.StandardPixmap.SP_FileIcon),
            (actions["open"], "document-open", QStyle.StandardPixmap.SP_DialogOpenButton),
            (actions["save"], "document-save", QStyle.StandardPixmap.SP_DialogSaveButton),
            (undo, "edit-undo", QStyle.StandardPixmap.SP_ArrowBack),
            (redo, "edit-redo", QStyle.StandardPixmap.SP_ArrowForward)):
        action.setIcon(QIcon.fromTheme(theme_name, style.standardIcon(fallback)))  # the desktop's icons first
    toolbar.addActions([actions["new"], actions["open"], actions["save"]])
    toolbar.addSeparator()
    toolbar.addActions([undo, redo])
    toolbar.addSeparator()
    toolbar.addActions([connect_tool, actions["auto_layout"], actions["fit"]])
    toolbar.addSeparator()
    toolbar.addWidget(window.search_field)
    window.addToolBar(toolbar)
    for action in toolbar.actions():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = action.toolTip() or action.text().replace("&", "")
        if keys and keys not in tip:
            action.setToolTip(f"{tip} ({keys})")
    return actions


def _fill_recent(window: MainWindow, menu: QMenu) -> None:
    """List the recent files (a file that fails to open is dropped from the list) and "Clear Recent"."""
    menu.clear()
    try:
        from iam_desktop.gui.settings import AppSettings
    except ImportError:
        menu.addAction("No recent files").setEnabled(False)
        return
    recent = AppSettings().recent_files()
    for number, path in enumerate(recent, start=1):
        action = menu.addAction(f"&{number % 10}  {path.name}")
        action.setToolTip(str(path))
        action.setStatusTip(str(path))
        action.triggered.connect(lambda _checked=False, p=path: _open_recent(window, p))
    if not recent:
        menu.addAction("No recent files").setEnabled(False)
        return
    menu.addSeparator()
    clear = menu.addAction("&Clear Recent", lambda: AppSettings().clear_recent_files())
    clear.setObjectName("action-clear-recent")


def _open_recent(window: MainWindow, path: Path) -> None:
    from iam_desktop.gui.settings import AppSettings
    if window.files.maybe_save() and not window.files.open_path(path, ask=False):
        AppSettings().remove_recent_file(path)
        window.statusBar().showMessage(f"{path.name} was removed from the recent files.", 8000)


def _add_theme_actions(window: MainWindow, menu: QMenu, actions: dict[str, QAction]) -> None:
    """System / Light / Dark, exclusive, stored in the settings and applied at once."""
    try:
        from iam_desktop.gui.settings import AppSettings, Theme, apply_theme
    except ImportError:
        menu.setEnabled(False)
        return
    group = QActionGroup(window)
    current = AppSettings().theme()

    def choose(theme: Theme) -> None:
        settings = AppSettings()
        settings.set_theme(theme)
        apply_theme(theme)
        window.statusBar().showMessage(f"Theme: {theme.value}.", 4000)

    for theme, text in ((Theme.SYSTEM, "&System"), (Theme.LIGHT, "&Light"), (Theme.DARK, "&Dark")):
        action = QAction(text, window)
        action.setObjectName(f"action-theme-{theme.value}")
        action.setCheckable(True)
        action.setChecked(theme is current)
        action.triggered.connect(lambda _checked=False, t=theme: choose(t))
        group.addAction(action)
        menu.addAction(action)
        actions[f"theme_{theme.value}"] = action


def _ask_selection(window: MainWindow) -> None:
    question = window.question_panel()
    if question is None:
        return
    from iam_desktop.gui.panels import raise_dock
    raise_dock(question)
    if question.use_selection():
        question.ask()
    else:
        window.statusBar().showMessage("Select a principal and a resource first (Ctrl+click the second).", 8000)


def _show_about(window: MainWindow) -> None:
    try:
        from iam_desktop.gui.about import show_about
    except ImportError:
        QMessageBox.about(window, "About IAM Desktop", "IAM Desktop: see AWS IAM access and ask it questions.")
        return
    show_about(window)
