"""The Qt bindings survive a working day of calls (PySide6 6.12.0 on CPython 3.11 aborted after ~5,000)."""

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtWidgets import QApplication, QLineEdit
from fieldapp.ui import compat
compat.protect_singletons()
app = QApplication([])
field = QLineEdit()
for _ in range(50_000):
    field.setText("3216061207900003")
    field.clear()
print("ok")
"""


def test_many_void_calls_do_not_crash_the_interpreter():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
