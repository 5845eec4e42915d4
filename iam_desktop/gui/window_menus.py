"""The main window's actions, menus and toolbar (File, Edit, View, Help), with their shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QAction, QKeySequence
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
<b>Esc</b> clears the highlight."""


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
    recent_menu.aboutToShow.connect(lambda: _fill_recent(window, recent_menu))
    file_menu.addAction(make("save", "&Save", files.save, QKeySequence.StandardKey.Save))
    file_menu.addAction(make("save_as", "Save &As…", files.save_as, "Ctrl+Shift+S"))
    file_menu.addSeparator()
    file_menu.addAction(make("import_aws", "&Import AWS Authorization Details…", files.import_dialog))
    file_menu.addAction(make("export_png", "Export Canvas as &PNG…", lambda: files.export_dialog("png")))
    file_menu.addAction(make("export_svg", "Export Canvas as S&VG…", lambda: files.export_dialog("svg")))
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
    actions["legend"] = window.legend_dock.toggleViewAction()
    actions["legend"].setText("&Legend")
    view_menu.addAction(actions["legend"])
    panels_menu = view_menu.addMenu("&Panels")
    for dock in [window.palette_dock, window.history_dock, *window.panel_docks]:
        panels_menu.addAction(dock.toggleViewAction())

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(make("shortcuts", "Canvas &Shortcuts", lambda: QMessageBox.information(
        window, "Canvas shortcuts", SHORTCUTS_HELP)))
    help_menu.addAction(make("about", "&About IAM Desktop", lambda: _show_about(window)))

    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("toolbar-main")
    actions["new"].setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileIcon))
    actions["open"].setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
    actions["save"].setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
    undo.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
    redo.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
    toolbar.addActions([actions["new"], actions["open"], actions["save"]])
    toolbar.addSeparator()
    toolbar.addActions([undo, redo])
    toolbar.addSeparator()
    toolbar.addActions([connect_tool, actions["auto_layout"], actions["fit"]])
    toolbar.addSeparator()
    toolbar.addWidget(window.search_field)
    window.addToolBar(toolbar)
    return actions


def _fill_recent(window: MainWindow, menu: QMenu) -> None:
    menu.clear()
    try:
        from iam_desktop.gui.settings import AppSettings
        recent = AppSettings().recent_files()
    except ImportError:
        recent = []
    for path in recent:
        action = menu.addAction(path.name)
        action.setToolTip(str(path))
        action.triggered.connect(lambda _checked=False, p=path: window.files.open_path(p))
    if not recent:
        menu.addAction("No recent files").setEnabled(False)


def _show_about(window: MainWindow) -> None:
    try:
        from iam_desktop.gui.about import show_about
    except ImportError:
        QMessageBox.about(window, "About IAM Desktop", "IAM Desktop: see AWS IAM access and ask it questions.")
        return
    show_about(window)
