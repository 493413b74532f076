"""User settings as one small JSON file in the data dir.

Qt-free so the CLI and the GUI read the same values (the Vosk model path, the TTS
voice, daily limits). Written atomically: a crash mid-save keeps the old file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

SETTINGS_FILENAME = "settings.json"
# Kept in step with app.speech.engines.CHOICES (tests check it); core may not import speech.
ENGINE_CHOICES = ("auto", "whisper", "vosk")


@dataclass
class Settings:
    tts_voice: str = ""  # empty: the engine's default voice
    tts_rate: int = 170  # words per minute
    speak_questions: bool = True
    hands_free: bool = False
    engine: str = "auto"  # auto | whisper | vosk (app.speech.engines.CHOICES)
    whisper_model: str = ""  # explicit model folder; empty: search the usual places
    vosk_model: str = ""
    # Hands-free: this much silence after speech ends the answer by itself.
    end_silence_s: float = 3.0
    input_device: str = ""  # empty: the system default
    theme: str = "system"  # system | light | dark
    new_per_day: int = 20
    reviews_per_day: int = 200
    first_run_done: bool = False

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        path = data_dir / SETTINGS_FILENAME
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            # A damaged settings file must not stop the app; defaults are safe.
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        defaults = cls()
        values = {}
        for name in known:
            value = raw.get(name, getattr(defaults, name))
            default = getattr(defaults, name)
            if isinstance(default, float) and type(value) is int:
                value = float(value)
            if type(value) is type(default):
                values[name] = value
        settings = cls(**values)
        if settings.engine not in ENGINE_CHOICES:
            # PocketSphinx left Parley; a name it no longer knows means "choose for me".
            settings.engine = "auto"
        settings.end_silence_s = min(max(settings.end_silence_s, 1.0), 15.0)
        return settings

    def engine_models(self) -> dict[str, str]:
        """The model folder chosen for each engine (empty: search the usual places)."""
        return {"whisper": self.whisper_model, "vosk": self.vosk_model}

    def save(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=data_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(self), fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, data_dir / SETTINGS_FILENAME)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
