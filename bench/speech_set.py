"""A speech recognition evaluation set: spoken answers in many voices and conditions.

Parley scores what a user says, so a recogniser is only as useful as its word error rate
(WER) on answers that sound like real explanations, and its recall of hesitations ("um",
"uh", "you know"), which the filler feedback depends on. This module renders the answers
in ``tests/data/speech/answers.toml`` with flite and espeak-ng voices, under clean, fast,
slow, noisy, reverberant and telephone conditions, to 16 kHz mono 16-bit WAV, and caches
each clip under a hash of everything that shapes it, so a second run costs nothing.

``python -m bench.speech_set --out DIR [--per-answer 3]`` renders a balanced plan.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import subprocess
import tempfile
import tomllib
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile as sf
from rapidfuzz.distance import Levenshtein

ANSWERS = Path(__file__).resolve().parents[1] / "tests" / "data" / "speech" / "answers.toml"
VERSION = 1  # bump when rendering changes, so stale cached clips are never reused
SAMPLE_RATE = 16_000
ESPEAK_RATE = 155  # words per minute: espeak-ng's default 175 slurs technical terms


@dataclass(frozen=True)
class SpokenAnswer:
    id: str
    text: str
    fillers: tuple[str, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Voice:
    name: str
    engine: Literal["flite", "espeak"]
    voice: str


@dataclass(frozen=True)
class Condition:
    name: str
    effects: tuple[str, ...]  # sox effect arguments, applied before conversion
    snr_db: float | None = None  # pink noise mixed in afterwards at this SNR


@dataclass(frozen=True)
class Rendered:
    answer: SpokenAnswer
    voice: Voice
    condition: Condition
    path: Path
    duration_s: float


# Four flite voices (three US, one Scottish) and espeak-ng's English accents, with two
# female variants, so no recogniser can do well by fitting one speaker. MBROLA voices are
# left out: they need the separate mbrola package.
VOICES: tuple[Voice, ...] = (
    Voice("flite-rms", "flite", "rms"),
    Voice("flite-slt", "flite", "slt"),
    Voice("flite-awb", "flite", "awb"),
    Voice("flite-kal", "flite", "kal"),  # an 8 kHz diphone voice: narrowband by nature
    Voice("espeak-en-us", "espeak", "en-us"),
    Voice("espeak-en-gb", "espeak", "en-gb"),
    Voice("espeak-en-sc", "espeak", "en-gb-scotland"),
    Voice("espeak-en-029", "espeak", "en-029"),
    Voice("espeak-en-rp", "espeak", "en-gb-x-rp"),
    Voice("espeak-en-gbclan", "espeak", "en-gb-x-gbclan"),
    Voice("espeak-en-wmids", "espeak", "en-gb-x-gbcwmd"),
    Voice("espeak-en-nyc", "espeak", "en-us-nyc"),
    Voice("espeak-en-us-f3", "espeak", "en-us+f3"),
    Voice("espeak-en-gb-f4", "espeak", "en-gb+f4"),
)

CONDITIONS: tuple[Condition, ...] = (
    Condition("clean", ()),
    Condition("fast", ("tempo", "-s", "1.25")),  # -s: tuned for speech; pitch unchanged
    Condition("slow", ("tempo", "-s", "0.85")),
    Condition("noise", (), snr_db=15.0),
    Condition("reverb", ("reverb", "50", "50", "80")),
    # A phone line: 8 kHz codec band, 300-3400 Hz, then back up to 16 kHz.
    Condition("phone", ("rate", "8000", "sinc", "300-3400")),
)


def load_answers(path: Path | None = None) -> list[SpokenAnswer]:
    with (path or ANSWERS).open("rb") as f:
        clips = tomllib.load(f)["clip"]
    answers = [
        SpokenAnswer(c["id"], c["text"], tuple(c["fillers"]), tuple(c["terms"])) for c in clips
    ]
    if len({a.id for a in answers}) != len(answers):
        raise ValueError(f"{path or ANSWERS}: answer ids are not unique")
    return answers


# -- rendering -------------------------------------------------------------------------
def _key(answer: SpokenAnswer, voice: Voice, condition: Condition) -> str:
    parts = [VERSION, answer.text, voice.engine, voice.voice, ESPEAK_RATE]
    parts += [condition.name, list(condition.effects), condition.snr_db]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _run(cmd: list[str]) -> None:
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", None) or str(err)
        raise RuntimeError(f"command failed: {' '.join(cmd)}: {detail.strip()}") from err


def render(answer: SpokenAnswer, voice: Voice, condition: Condition, cache_dir: Path) -> Path:
    """The clip's path in ``cache_dir``, synthesised and processed only if not cached."""
    key = _key(answer, voice, condition)
    out = cache_dir / f"{answer.id}_{voice.name}_{condition.name}_{key[:16]}.wav"
    if out.exists():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Work files live in cache_dir so the final rename is atomic (same file system): a
    # crash or a parallel render never leaves a half-written clip under the final name.
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".render-") as tmp:
        raw, done = Path(tmp) / "raw.wav", Path(tmp) / "done.wav"
        if voice.engine == "flite":
            _run(["flite", "-voice", voice.voice, "-t", answer.text, "-o", str(raw)])
        else:
            cmd = ["espeak-ng", "-v", voice.voice, "-s", str(ESPEAK_RATE), "-w", str(raw)]
            _run([*cmd, answer.text])
        # -R seeds sox's randomness and -D turns off dither, so output is bit-exact.
        # Normalising to -3 dBFS evens out the engines' levels and keeps reverb unclipped.
        fmt = ["-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
        _run(["sox", "-R", "-D", str(raw), *fmt, str(done), *condition.effects, "norm", "-3"])
        if condition.snr_db is not None:
            _add_noise(done, condition.snr_db, seed=int(key[:8], 16))
        os.replace(done, out)
    return out


def _add_noise(path: Path, snr_db: float, seed: int) -> None:
    """Mixes pink noise in at ``snr_db`` against the speech's active level."""
    speech, rate = sf.read(path, dtype="float64")
    rng = np.random.default_rng(seed)  # seeded per clip: reproducible, yet not one noise
    spectrum = np.fft.rfft(rng.standard_normal(len(speech)))
    freqs = np.fft.rfftfreq(len(speech))
    spectrum[1:] /= np.sqrt(freqs[1:])  # 1/f power: pink, closer to room noise than white
    noise = np.fft.irfft(spectrum, n=len(speech))
    # Speech power over its active 20 ms frames only: pauses would dilute it, and the
    # noise would come out quieter than the SNR promises.
    frame = rate // 50
    frames = speech[: len(speech) // frame * frame].reshape(-1, frame)
    power = (frames**2).mean(axis=1)
    active = power[power > power.max() * 1e-3]
    gain = np.sqrt(active.mean() / (noise**2).mean() / 10 ** (snr_db / 10))
    mixed = speech + gain * noise
    mixed *= min(1.0, 0.98 / np.abs(mixed).max())  # scale rather than clip
    sf.write(path, mixed, rate, subtype="PCM_16")


def plan(
    answers: Sequence[SpokenAnswer],
    voices: Sequence[Voice],
    conditions: Sequence[Condition],
    per_answer: int,
    seed: int = 0,
) -> list[tuple[SpokenAnswer, Voice, Condition]]:
    """Each answer in ``per_answer`` (voice, condition) pairs, balanced and reproducible.

    Item n takes voice n mod V and condition n mod C, shifted by one condition after each
    lcm(V, C) items: a cycle of V x C items then holds every pair exactly once, any stretch
    is balanced to within one use per voice and per condition, and consecutive items (so
    one answer's renderings) differ in voice and, for four or more conditions, condition.
    """
    rng = random.Random(seed)
    vs, cs, order = list(voices), list(conditions), list(answers)
    for items in (vs, cs, order):
        rng.shuffle(items)  # the seed picks which voice meets which answer first
    block = math.lcm(len(vs), len(cs))
    out = []
    for n in range(len(order) * per_answer):
        condition = cs[(n + n // block) % len(cs)]
        out.append((order[n // per_answer], vs[n % len(vs)], condition))
    return out


def render_all(
    items: Sequence[tuple[SpokenAnswer, Voice, Condition]], cache_dir: Path, workers: int = 2
) -> list[Rendered]:
    def one(item: tuple[SpokenAnswer, Voice, Condition]) -> Rendered:
        path = render(*item, cache_dir)
        return Rendered(*item, path, sf.info(path).duration)

    with ThreadPoolExecutor(max_workers=workers) as pool:  # the work is in subprocesses
        return list(pool.map(one, items))


# -- scoring ---------------------------------------------------------------------------
HESITATIONS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "hm", "mm"})
PHRASE_FILLERS = ("you know", "i mean", "like")
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"]
_TEENS += ["sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SMALL = {w: n for n, w in enumerate(_UNITS + _TEENS)}
_CONTRACTIONS = {"can't": "can not", "cannot": "can not", "won't": "will not", "let's": "let us"}
_IS = {"it", "that", "what", "there", "here", "he", "she", "who", "where", "how"}
_SUFFIXES = {"n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'m": " am"}


def _tokens(text: str) -> list[str]:
    """Lower-cased words, hyphens split, punctuation gone (apostrophes kept)."""
    text = text.lower().replace("’", "'").replace("-", " ")
    return re.findall(r"[a-z0-9']+", text)


def _below_100(words: list[str], i: int) -> tuple[int, int] | None:
    if i < len(words) and words[i] in _SMALL:
        return _SMALL[words[i]], i + 1
    if i < len(words) and words[i] in _TENS:
        value = 20 + 10 * _TENS.index(words[i])
        if i + 1 < len(words) and 1 <= _SMALL.get(words[i + 1], 0) <= 9:
            return value + _SMALL[words[i + 1]], i + 2
        return value, i + 1
    return None


def _number(words: list[str], i: int) -> tuple[int, int] | None:
    """Parses 0-9999 in words at ``i`` ("two thousand", "twelve hundred and five")."""
    if words[i] == "a" and words[i + 1 : i + 2] in (["hundred"], ["thousand"]):
        head: tuple[int, int] | None = (1, i + 1)  # "a hundred" == "one hundred" == 100
    else:
        head = _below_100(words, i)
    if head is None:
        return None
    value, i = head
    nxt = words[i] if i < len(words) else ""
    if nxt == "thousand" and 1 <= value <= 9:
        value, i = value * 1000, i + 1
        hundreds = _below_100(words, i)
        if (
            hundreds
            and 1 <= hundreds[0] <= 9
            and words[hundreds[1] : hundreds[1] + 1] == ["hundred"]
        ):
            value, i = value + hundreds[0] * 100, hundreds[1] + 1
    elif nxt == "hundred" and 1 <= value <= 99:
        value, i = value * 100, i + 1
    else:
        return value, i
    rest = _below_100(words, i + 1 if words[i : i + 1] == ["and"] else i)
    return (value + rest[0], rest[1]) if rest else (value, i)


def normalise(text: str) -> list[str]:
    """Words as WER compares them: contractions expanded, numbers as digits, acronyms
    spelled out letter by letter joined ("l l m" = "llm"), hesitations dropped."""
    text = re.sub(r"(\d),(\d)", r"\1\2", text)  # 2,000 -> 2000
    text = re.sub(r"(\d)\.(\d)", r"\1 point \2", text).replace("%", " percent")
    words: list[str] = []
    for word in _tokens(text):
        if word in _CONTRACTIONS:
            word = _CONTRACTIONS[word]
        elif word.endswith("'s") and word[:-2] in _IS:
            word = word[:-2] + " is"
        elif word.endswith("'d") and word[:-2] in {"i", "we", "you", "they", "he", "she"}:
            word = word[:-2] + " would"
        else:
            word = next(
                (word[: -len(s)] + f for s, f in _SUFFIXES.items() if word.endswith(s)), word
            )
        words += word.replace("'", "").split()  # possessive 's: "model's" == "models"
    out: list[str] = []
    i, spelling = 0, False
    while i < len(words):
        word, letter = words[i], len(words[i]) == 1 and words[i].isalpha()
        parsed = _number(words, i)
        if parsed:
            out.append(str(parsed[0]))
            i = parsed[1]
        elif word.isdigit():
            out.append(str(int(word)))
            i += 1
        elif word in HESITATIONS:
            i += 1
            continue  # dropped, and does not break a run of letters
        elif letter and spelling:
            out[-1] += word  # a run of single letters is an acronym: "a p i" == "api"
            i += 1
        else:
            out.append(word)
            i += 1
        spelling = letter and not parsed
    return out


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference`` after ``normalise``."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def _filler_classes(text: str) -> Counter[str]:
    words, counts, i = _tokens(text), Counter[str](), 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in PHRASE_FILLERS:
            counts[pair], i = counts[pair] + 1, i + 2
            continue
        if words[i] in HESITATIONS:
            counts["hesitation"] += 1
        elif words[i] in PHRASE_FILLERS:
            counts[words[i]] += 1
        i += 1
    return counts


def filler_recall(expected: Sequence[str], hypothesis: str) -> tuple[int, int]:
    """(found, expected): by count per class, not position, since recognisers shift
    words in time; every um/uh/er/ah/hmm spelling is one "hesitation" class."""
    wanted = Counter("hesitation" if f.lower() in HESITATIONS else f.lower() for f in expected)
    heard = _filler_classes(hypothesis)
    return sum(min(n, heard[c]) for c, n in wanted.items()), len(expected)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.speech_set", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="cache folder for the WAVs")
    parser.add_argument("--per-answer", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    items = plan(load_answers(), VOICES, CONDITIONS, args.per_answer, args.seed)
    done = render_all(items, args.out, args.workers)
    for label, counts in (
        ("voice", Counter(r.voice.name for r in done)),
        ("condition", Counter(r.condition.name for r in done)),
    ):
        for name, n in sorted(counts.items()):
            print(f"{label:9} {name:18} {n:4}")
    print(f"{len(done)} clips, {sum(r.duration_s for r in done):.1f} s of audio in {args.out}")


if __name__ == "__main__":
    main()
