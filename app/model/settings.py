"""User settings as one small JSON file in the data dir.

Qt-free so the CLI and the GUI read the same values (the Vosk model path, the TTS
voice, daily limits). Written atomically: a crash mid-save keeps the old file.

The file is the user's to edit, so reading it never fails: a file that is too big,
nested too deeply or not JSON gives the defaults and one warning line; a value of the
wrong type gives that setting's default; numbers out of range are clamped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

SETTINGS_FILENAME = "settings.json"
# Kept in step with app.speech.engines.CHOICES (tests check it); core may not import speech.
ENGINE_CHOICES = ("auto", "whisper", "vosk")
# A settings file is a few hundred bytes; anything this big was not written by Parley.
MAX_SETTINGS_BYTES = 64 * 1024
MAX_TEXT_SETTING = 4096  # characters: a path or a device name
# Allowed ranges of the numeric settings; values outside are clamped into them. The
# speech rate range is app.speech.tts.MIN_RATE..MAX_RATE (core may not import speech).
RANGES: dict[str, tuple[float, float]] = {
    "tts_rate": (80, 450),
    "end_silence_s": (1.0, 15.0),
    "new_per_day": (0, 9999),
    "reviews_per_day": (0, 99999),
    "roleplay_new_per_day": (0, 9999),
    "roleplay_reviews_per_day": (0, 99999),
}

log = logging.getLogger(__name__)
_warned: set[tuple[str, str]] = set()


def _warn_once(path: Path, problem: str) -> None:
    """One line per damaged file and problem, however many commands load settings."""
    if (str(path), problem) not in _warned:
        _warned.add((str(path), problem))
        log.warning("parley: %s: %s; using the default settings.", path, problem)


@dataclass(frozen=True)
class DailyLimits:
    """How many new cards, and how many reviews of seen ones, a day may bring (None:
    no cap on reviews). Flashcards and role-plays each have their own."""

    new: int
    reviews: int | None = None


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
    # Daily limits, flashcards and role-plays apart: a spoken answer takes minutes, a
    # flashcard seconds.
    new_per_day: int = 20
    reviews_per_day: int = 200
    roleplay_new_per_day: int = 10
    roleplay_reviews_per_day: int = 100
    first_run_done: bool = False
    # Built-in decks the user deleted: seeding must not bring them back.
    removed_builtin_decks: list[str] = field(default_factory=list)
    window_geometry: str = ""  # QWidget.saveGeometry() as base64: size and place
    last_folder: str = ""  # where the file dialogs open; empty: the home folder

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        path = data_dir / SETTINGS_FILENAME
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_SETTINGS_BYTES + 1)
        except FileNotFoundError:
            return cls()
        except OSError as err:
            _warn_once(path, f"cannot be read ({err.strerror or err})")
            return cls()
        if len(data) > MAX_SETTINGS_BYTES:
            _warn_once(path, f"is larger than {MAX_SETTINGS_BYTES // 1024} KiB")
            return cls()
        try:
            raw: Any = json.loads(data.decode("utf-8"))
        except RecursionError:
            _warn_once(path, "is nested too deeply")
            return cls()
        except ValueError:  # not UTF-8, not JSON, or an integer with thousands of digits
            _warn_once(path, "is not valid JSON")
            return cls()
        if not isinstance(raw, dict):
            _warn_once(path, "is not a JSON object")
            return cls()
        return cls._from_mapping(raw)

    @classmethod
    def _from_mapping(cls, raw: dict[str, Any]) -> Settings:
        defaults = cls()
        values = {}
        for f in fields(cls):
            default = getattr(defaults, f.name)
            value = raw.get(f.name, default)
            if isinstance(default, float) and type(value) is int:
                value = float(value) if abs(value) < 2**53 else math.copysign(math.inf, value)
            if type(value) is not type(default):
                continue
            if isinstance(value, float) and math.isnan(value):
                continue
            if isinstance(value, str) and len(value) > MAX_TEXT_SETTING:
                continue
            if isinstance(value, list):
                value = [v for v in value if isinstance(v, str) and len(v) <= MAX_TEXT_SETTING]
            if f.name in RANGES:
                low, high = RANGES[f.name]
                value = type(default)(min(max(value, low), high))
            values[f.name] = value
        settings = cls(**values)
        if settings.engine not in ENGINE_CHOICES:
            # PocketSphinx left Parley; a name it no longer knows means "choose for me".
            settings.engine = "auto"
        return settings

    def limits(self, kind: str) -> DailyLimits:
        """The daily limits of ``kind`` ("flashcard" or "roleplay")."""
        if kind == "roleplay":
            return DailyLimits(self.roleplay_new_per_day, self.roleplay_reviews_per_day)
        return DailyLimits(self.new_per_day, self.reviews_per_day)

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
