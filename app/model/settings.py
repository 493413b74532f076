"""User settings as one small JSON file in the data dir.

Qt-free so the CLI and the GUI read the same values (the Vosk model path, the TTS
voice, daily limits). Written atomically: a crash mid-save keeps the old file.

The file is the user's to edit, so reading it never fails: a file that is too big,
nested too deeply or not JSON gives the defaults; a value of the wrong type, or a name
the setting does not know (engine, theme), gives that setting's default; numbers out of
range are clamped. Each such problem is one line saying what was wrong and what is used
instead: logged (the CLI prints it) and returned by ``read_settings`` for the GUI to show.
The file itself is left as it is.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

SETTINGS_FILENAME = "settings.json"
# Kept in step with app.speech.engines.CHOICES (tests check it); core may not import speech.
EngineName = Literal["auto", "whisper", "vosk"]
ENGINE_CHOICES: tuple[EngineName, ...] = get_args(EngineName)
ThemeName = Literal["system", "light", "dark"]
THEMES: tuple[ThemeName, ...] = get_args(ThemeName)
# Text settings that mean something only as one of a few names.
CHOICES: dict[str, tuple[str, ...]] = {"engine": ENGINE_CHOICES, "theme": THEMES}
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

_warned: set[tuple[str, str]] = set()
# What a value of each type looks like, for the line that says a value is not one.
_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def _warn_once(path: Path, problem: str) -> None:
    """One line per damaged file and problem, however many commands load settings."""
    if (str(path), problem) not in _warned:
        _warned.add((str(path), problem))
        import logging  # only a damaged file needs it: 7 ms of start-up otherwise

        logging.getLogger(__name__).warning("parley: %s: %s.", path, problem)


def _shown(value: object) -> str:
    """``value`` as the file spells it, cut short: a line must stay a line."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def as_engine(value: object) -> EngineName:
    """``value`` as an engine setting; ValueError if it names no engine."""
    for name in ENGINE_CHOICES:
        if value == name:
            return name
    raise ValueError(f"{value!r} is not one of {', '.join(ENGINE_CHOICES)}")


def as_theme(value: object) -> ThemeName:
    """``value`` as a theme setting; ValueError if it names no theme."""
    for name in THEMES:
        if value == name:
            return name
    raise ValueError(f"{value!r} is not one of {', '.join(THEMES)}")


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
    engine: EngineName = "auto"  # app.speech.engines.CHOICES
    whisper_model: str = ""  # explicit model folder; empty: search the usual places
    vosk_model: str = ""
    # Hands-free: this much silence after speech ends the answer by itself.
    end_silence_s: float = 3.0
    input_device: str = ""  # empty: the system default
    theme: ThemeName = "system"
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
        """The settings in ``data_dir``; what was wrong with the file is logged."""
        return read_settings(data_dir).settings

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


@dataclass(frozen=True)
class SettingsRead:
    """Settings as read from a file, and each thing in it that was reset or clamped."""

    settings: Settings
    path: Path
    problems: tuple[str, ...] = ()

    def message(self) -> str:
        """All the problems as one line for the window ("" when there were none)."""
        return f"{self.path}: {'; '.join(self.problems)}." if self.problems else ""


def read_settings(data_dir: Path) -> SettingsRead:
    """The settings in ``data_dir``, never failing: see the module's docstring."""
    path = data_dir / SETTINGS_FILENAME
    raw, problem = _read_object(path)
    if raw is not None:
        settings, problems = _from_mapping(raw)
    else:
        settings, problems = (
            Settings(),
            [f"{problem}; using the default settings"] if problem else [],
        )
    for one in problems:
        _warn_once(path, one)
    return SettingsRead(settings, path, tuple(problems))


def _read_object(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The file's JSON object, or None and what was wrong ("" for no file at all)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return None, ""
    except OSError as err:
        return None, f"cannot be read ({err.strerror or err})"
    if len(data) > MAX_SETTINGS_BYTES:
        return None, f"is larger than {MAX_SETTINGS_BYTES // 1024} KiB"
    try:
        raw: Any = json.loads(data.decode("utf-8"))
    except RecursionError:
        return None, "is nested too deeply"
    except ValueError:  # not UTF-8, not JSON, or an integer with thousands of digits
        return None, "is not valid JSON"
    if not isinstance(raw, dict):
        return None, "is not a JSON object"
    return raw, ""


def _from_mapping(raw: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from the file's object; keys it does not know are left alone (a newer
    Parley may have written them)."""
    defaults = Settings()
    values: dict[str, Any] = {}
    problems: list[str] = []
    for f in fields(Settings):
        if f.name not in raw:
            continue
        default = getattr(defaults, f.name)
        value = _checked(f.name, raw[f.name], default, problems)
        if value is not None:
            values[f.name] = value
    return Settings(**values), problems


def _checked(name: str, value: Any, default: Any, problems: list[str]) -> Any:
    """``value`` made fit for the setting ``name``, or None for its default; a line per
    change goes to ``problems``."""
    if isinstance(default, float) and type(value) is int:
        value = float(value) if abs(value) < 2**53 else math.copysign(math.inf, value)
    if isinstance(default, list):
        if not isinstance(value, list):
            problems.append(f"{name} should be a list of text, not {_shown(value)}; using []")
            return None
        kept = [v for v in value if isinstance(v, str) and len(v) <= MAX_TEXT_SETTING]
        if len(kept) < len(value):
            problems.append(f"{name}: {len(value) - len(kept)} entries that are not text left out")
        return kept
    if type(value) is not type(default):
        kind = _KINDS[type(default)]
        problems.append(f"{name} should be {kind}, not {_shown(value)}; using {_shown(default)}")
        return None
    if isinstance(value, float) and math.isnan(value):
        problems.append(f"{name} is not a number; using {_shown(default)}")
        return None
    if isinstance(value, str) and len(value) > MAX_TEXT_SETTING:
        problems.append(f"{name} is longer than {MAX_TEXT_SETTING} characters; using the default")
        return None
    if name in CHOICES and value not in CHOICES[name]:
        # PocketSphinx left Parley, for one: a name it no longer knows means the default.
        names = ", ".join(CHOICES[name])
        problems.append(f"{name} {_shown(value)} is not one of {names}; using {_shown(default)}")
        return None
    if name in RANGES:
        low, high = RANGES[name]
        clamped = type(default)(min(max(value, low), high))
        if clamped != value:
            problems.append(
                f"{name} {_shown(value)} is outside {low:g} to {high:g}; using {_shown(clamped)}"
            )
        return clamped
    return value
