"""File operations of a main window: new, open, save, the unsaved-changes prompt, AWS import and canvas export."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QObject, QRectF, QSize, QThread, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from iam_desktop.formats.aws_common import ImportResult
from iam_desktop.formats.aws_import import import_authorization_details
from iam_desktop.formats.model_file import MODEL_SUFFIX, ModelFileError, load_model, save_model
from iam_desktop.gui.commands import AddEntitiesCommand
from iam_desktop.gui.errors import show_error
from iam_desktop.gui.layout import compute_layout
from iam_desktop.model import Workspace

if TYPE_CHECKING:
    from iam_desktop.gui.main_window import MainWindow

log = logging.getLogger(__name__)

MODEL_FILTER = f"IAM Desktop models (*{MODEL_SUFFIX});;JSON files (*.json);;All files (*)"
MAX_EXPORT_SIDE = 12000


class ImportThread(QThread):
    """Runs an AWS import off the GUI thread, into a copy of the model."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, path: Path, base: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._base = base

    def run(self) -> None:
        """Read and import the file (Qt override; runs in the worker thread)."""
        try:
            result = import_authorization_details(self.path.read_bytes(), workspace=self._base)
        except (OSError, ValueError) as exc:
            self.failed.emit(f"{self.path.name}: {exc}")
            return
        self.succeeded.emit(result)


class FileActions(QObject):
    """What the File menu does for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.import_thread: ImportThread | None = None
        self._progress: QProgressDialog | None = None

    # ----- new / open ------------------------------------------------------------------------------------
    def new_model(self) -> bool:
        """Start an empty model (after asking about unsaved changes)."""
        if not self.maybe_save():
            return False
        self.document.replace(Workspace(), None)
        return True

    def open_dialog(self) -> bool:
        """Ask for a model file and open it."""
        start = str(self.document.path.parent) if self.document.path else ""
        name, _ = QFileDialog.getOpenFileName(self.window, "Open model", start, MODEL_FILTER)
        return bool(name) and self.open_path(Path(name))

    def open_path(self, path: Path, ask: bool = True, as_untitled: bool = False) -> bool:
        """Open a model file into this window; on failure show why and keep the current model.

        Parameters
        ----------
        path
            The file.
        ask
            Ask about unsaved changes first (False: the caller already did, or there are none to keep).
        as_untitled
            Show the content as a new, never-saved model (the bundled example: saving asks for a name).
        """
        if ask and not self.maybe_save():
            return False
        try:
            workspace = load_model(path)
        except ModelFileError as exc:
            show_error(self.window, "Cannot open model", f"{path.name} could not be opened.\n\n{exc.reason}", str(exc))
            return False
        self.document.replace(workspace, None if as_untitled else path)
        if not as_untitled:
            self.window.remember_recent(path)
        self.window.view.fit_all()
        self.window.statusBar().showMessage(f"Opened {path.name}: {len(workspace)} entities.", 6000)
        return True

    # ----- save ------------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the document's file (Save As when it has none)."""
        if self.document.path is None:
            return self.save_as()
        return self.write_to(self.document.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        suggested = str(self.document.path or Path.home() / f"{self.document.display_name()}{MODEL_SUFFIX}")
        name, _ = QFileDialog.getSaveFileName(self.window, "Save model as", suggested, MODEL_FILTER)
        return bool(name) and self.write_to(Path(name))

    def write_to(self, path: Path) -> bool:
        """Write the model to ``path`` (adding the model suffix when missing); False and a dialog on failure."""
        if not path.name.endswith(".json"):
            path = path.with_name(path.name + MODEL_SUFFIX)
        try:
            save_model(self.document.workspace, path)
        except (ModelFileError, OSError) as exc:
            reason = exc.reason if isinstance(exc, ModelFileError) else exc.strerror or str(exc)
            show_error(self.window, "Cannot save model", f"The model could not be saved to {path}.\n\n{reason}",
                       str(exc))
            return False
        self.document.mark_saved(path)
        self.window.remember_recent(path)
        self.window.statusBar().showMessage(f"Saved {path.name}.", 5000)
        return True

    def maybe_save(self) -> bool:
        """When the model has unsaved changes, ask: Save / Discard / Cancel. True: go on (saved or discarded)."""
        if not self.document.is_modified():
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"“{self.document.display_name()}” has changes that are not saved.", parent=self.window)
        box.setInformativeText("Save them before going on?")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ----- AWS import ------------------------------------------------------------------------------------
    def import_dialog(self) -> None:
        """Ask for an ``aws iam get-account-authorization-details`` output file and import it."""
        name, _ = QFileDialog.getOpenFileName(self.window, "Import AWS authorization details", "",
                                              "JSON files (*.json);;All files (*)")
        if name:
            self.import_path(Path(name))

    def import_path(self, path: Path) -> None:
        """Import in a worker thread with a progress dialog; the result is added as one undoable step."""
        if self.import_thread is not None:
            return
        thread = ImportThread(path, self.document.workspace.copy(), self)
        thread.succeeded.connect(self._on_import_succeeded)
        thread.failed.connect(self._on_import_failed)
        thread.finished.connect(self._on_import_finished)
        self._progress = QProgressDialog(f"Importing {path.name}…", "Cancel", 0, 0, self.window)
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(400)
        self.import_thread = thread
        thread.start()

    def _on_import_succeeded(self, result: ImportResult) -> None:
        """Add the imported entities as one step; into an empty model they are placed by the automatic layout."""
        if self._progress is not None and self._progress.wasCanceled():
            return
        workspace = self.document.workspace
        new = [e for i, e in result.workspace.entities.items() if i not in workspace]
        source = compute_layout(result.workspace) if not len(workspace) else result.workspace.placements
        placements = {e.id: source[e.id] for e in new if e.id in source}
        thread = self.import_thread
        name = thread.path.name if thread else "AWS data"
        if new and self.document.push(AddEntitiesCommand(workspace, new, placements, f"Import {name}")):
            self.window.view.fit_all()
        for warning in result.warnings:
            log.warning("import: %s", warning)
        note = f" ({len(result.warnings)} warnings, see the log)" if result.warnings else ""
        self.window.statusBar().showMessage(f"Imported {len(new)} entities from {name}{note}.", 10000)

    def _on_import_failed(self, message: str) -> None:
        show_error(self.window, "Cannot import", message)

    def _on_import_finished(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        if self.import_thread is not None:
            self.import_thread.deleteLater()
            self.import_thread = None

    # ----- export ----------------------------------------------------------------------------------------
    def export_dialog(self, kind: str) -> None:
        """Ask where to export the canvas as ``kind`` ("png" or "svg") and write it."""
        suggested = str(Path.home() / f"{self.document.display_name()}.{kind}")
        name, _ = QFileDialog.getSaveFileName(self.window, f"Export canvas as {kind.upper()}", suggested,
                                              f"{kind.upper()} files (*.{kind})")
        if name:
            path = Path(name) if name.lower().endswith(f".{kind}") else Path(f"{name}.{kind}")
            (self.export_png if kind == "png" else self.export_svg)(path)

    def _export_rect(self) -> QRectF:
        return self.window.scene.itemsBoundingRect().marginsAdded(QMarginsF(30, 30, 30, 30))

    def export_png(self, path: Path, scale: float = 2.0) -> bool:
        """Render the whole canvas to a PNG image (twice the screen resolution, within a size limit)."""
        source = self._export_rect()
        scale = min(scale, MAX_EXPORT_SIDE / max(source.width(), source.height(), 1.0))
        image = QImage(QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale))),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(self.window.view.palette().color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.window.scene.render(painter, QRectF(image.rect()), source)
        painter.end()
        if not image.save(str(path), "PNG"):
            show_error(self.window, "Cannot export", f"The image could not be written to {path}.")
            return False
        self.window.statusBar().showMessage(f"Exported {path.name}.", 5000)
        return True

    def export_svg(self, path: Path) -> bool:
        """Render the whole canvas to an SVG file; names stay text."""
        source = self._export_rect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(source.size().toSize())
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(self.document.display_name())
        generator.setDescription("Exported from IAM Desktop")
        painter = QPainter()
        if not painter.begin(generator):
            show_error(self.window, "Cannot export", f"The drawing could not be written to {path}.")
            return False
        painter.fillRect(QRectF(0, 0, source.width(), source.height()),
                         self.window.view.palette().color(QPalette.ColorRole.Base))
        self.window.scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
        self.window.statusBar().showMessage(f"Exported {path.name}.", 5000)
        return path.is_file()
