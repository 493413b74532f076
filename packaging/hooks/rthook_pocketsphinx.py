"""Runtime hook: tell PocketSphinx's C library where the bundled model is.

Its compiled-in default points at the build machine; ``POCKETSPHINX_PATH`` wins over it.
A value the user set is left alone.
"""

import os
import sys

_model = os.path.join(getattr(sys, "_MEIPASS", ""), "pocketsphinx", "model")
if os.path.isdir(_model):
    os.environ.setdefault("POCKETSPHINX_PATH", _model)
