"""faster-whisper runs Whisper on CTranslate2, and Parley's voice detection (app/speech/vad.py)
runs the Silero VAD model it ships, ``faster_whisper/assets/silero_vad_v6.onnx``, on
onnxruntime. ``faster_whisper.utils.get_assets_path()`` is ``dirname(__file__)/assets``, so
the model goes into faster_whisper/assets beside the frozen package.

``faster_whisper.audio`` imports PyAV at import time, for ``decode_audio()``, which only runs
when ``transcribe()`` is given a file name. Parley always passes numpy arrays, so PyAV and
its own FFmpeg (about 100 MB) stay out (parley.spec excludes ``av``), and
``rthook_no_av.py`` puts a placeholder in its place so ``import faster_whisper`` works.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("faster_whisper", excludes=["**/__pycache__"])
