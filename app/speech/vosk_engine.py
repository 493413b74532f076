"""Vosk: streams words as they are heard, with a model the user installs.

Loading a model takes seconds and hundreds of MB, so it happens once per folder in the
shared model cache (``load_model`` returns a future) and the loaded model is shared by
every recording; each recording still gets its own ``KaldiRecognizer``. Vosk ends an
utterance by itself at a pause (``AcceptWaveform`` returns True): that ``Result()`` is
kept, or the words before the pause would be lost when ``FinalResult()`` is read.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from app.model.errors import KnownError
from app.model.words import TimedWord
from app.speech.audio import TARGET_RATE
from app.speech.models import load_cached
from app.speech.recognizer import Recognizer
from app.speech.vosk_models import ENGINE, check_model_dir


def load_model(path: Path) -> Future[Any]:
    """The model in ``path``, loading it in the background the first time it is asked
    for. The layout is checked first so a broken folder fails with a clear message."""
    return load_cached(ENGINE, path, load)


def load(path: Path) -> Any:
    check_model_dir(path)
    try:
        import vosk
    except ImportError as err:
        raise KnownError("Vosk is not installed; reinstall Parley.") from err
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(path))
    except Exception as err:  # vosk raises a bare Exception on a model it cannot read
        raise KnownError(f"{path}: Vosk could not load this model ({err}).") from err


class VoskRecognizer(Recognizer):
    engine = ENGINE

    def __init__(self, model_path: Path, model: Future[Any] | None = None) -> None:
        super().__init__()
        self.model_path = model_path
        self._model = model if model is not None else load_model(model_path)
        self._rec: Any = None
        self._words: list[TimedWord] = []
        self.utterances = 0  # results Vosk closed by itself at pauses

    def _start(self) -> None:
        import vosk

        model = self._model.result()  # re-raises the loader's KnownError
        self._rec = vosk.KaldiRecognizer(model, TARGET_RATE)
        self._rec.SetWords(True)

    def _accept(self, chunk: bytes) -> None:
        if self._rec.AcceptWaveform(chunk):
            self.utterances += 1
            self._words += _words(self._rec.Result())

    def _partial(self) -> str:
        done = " ".join(w.word for w in self._words)
        live = str(json.loads(self._rec.PartialResult()).get("partial", ""))
        return f"{done} {live}".strip()

    def _settled(self) -> str:
        return " ".join(w.word for w in self._words)  # the utterances Vosk has closed

    def _finish(self) -> list[TimedWord]:
        self._words += _words(self._rec.FinalResult())
        self._rec = None
        return self._words


def _words(result_json: str) -> list[TimedWord]:
    result = json.loads(result_json)
    return [
        TimedWord(
            word=str(item["word"]),
            start=float(item["start"]),
            end=float(item["end"]),
            conf=float(item.get("conf", 1.0)),
        )
        for item in result.get("result", [])
    ]
