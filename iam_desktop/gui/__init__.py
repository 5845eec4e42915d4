"""The desktop user interface: document and undo commands, canvas, panels and the main window (PySide6)."""
