"""Run-time hook of the frozen application (replaces PyInstaller's own PySide6 hook).

It tells Qt where the bundled plugins are, as PyInstaller's hook does, but without importing
QtCore at start: the command line never needs Qt, and loading Qt's libraries first cost every
command about 0.2 s in the bundle. PySide6's wheels make Qt relocatable themselves (an embedded
qt.conf registered when QtCore is first imported), which is the other thing that hook would do.
"""

import os
import sys

_qt = os.path.join(sys._MEIPASS, "PySide6") if sys.platform.startswith("win") else os.path.join(sys._MEIPASS, "PySide6", "Qt")
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
del _qt
