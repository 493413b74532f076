"""PocketSphinx is Parley's embedded default engine: ship the US English model that its
wheel carries in pocketsphinx/model/en-us (acoustic model, dictionary, language model).

``pocketsphinx.get_model_path()`` finds that folder through ``find_spec("pocketsphinx.model")``,
a namespace package that only exists on disk, so the files go next to the package, not into
the PYZ; ``rthook_pocketsphinx.py`` also points ``POCKETSPHINX_PATH`` at it.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files(
    "pocketsphinx",
    subdir="model",
    excludes=["CMakeLists.txt", "**/__pycache__"],
)
