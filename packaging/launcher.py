"""The frozen app's entry script: PyInstaller starts here and hands over to iam_desktop.__main__."""

import sys

from iam_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
