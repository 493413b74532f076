"""Vosk loads libvosk.so with cffi's ``dlopen`` from its own package folder, so the library
must land in vosk/ inside the bundle (dependency analysis cannot see a dlopen by path).
No model is shipped here: ``build.sh --with-vosk-model DIR`` adds one under models/.
"""

from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs("vosk", destdir="vosk")
hiddenimports = ["vosk.vosk_cffi", "_cffi_backend"]
# The command-line transcriber (ffmpeg pipes, SRT output) is not used by Parley.
excludedimports = ["vosk.transcriber"]
