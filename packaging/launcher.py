"""The frozen app's entry script: PyInstaller starts here and hands over to iam_desktop.__main__."""

import multiprocessing
import sys

from iam_desktop.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a matrix worker process of the frozen app starts here too
    sys.exit(main())
