"""Whisper's decoder in a process of its own, so decoding never holds the GUI thread.

Why a process and not a thread: CTranslate2 releases the GIL while it computes, but
faster-whisper's Python between those calls (features, tokens, word alignment) takes it
back hundreds of times a second, and each time the GUI thread waits for its turn. On
this 2-core machine a decoder thread with two compute threads left the GUI thread
without the GIL for up to 0.8 s; the same decode in a child process, 30-60 ms. The
child also keeps a crash in the native code from taking the window with it.

One ``DecoderProcess`` serves one model: it starts the child, which loads the model
and then decodes requests one at a time, in order (CTranslate2 uses every core for one
decode, so two at once would only take turns more slowly). ``submit`` returns a
``Future`` of the words. If the child dies, what was pending fails with a message and
the next request starts a new child.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import zlib
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.model.errors import KnownError
from app.model.paths import cache_dir

FloatArray = npt.NDArray[np.float32]
RATE = 16000

# Written the way people talk, so Whisper keeps hesitations instead of tidying them.
FILLER_PROMPT = "Umm, so, uh, let me think. I mean, it's, like, you know, hmm, well..."
# A word Whisper aligns to no audio at all (one 20 ms frame or less), or gives a
# probability this low, at the end of a segment is one it made up (see decode()).
MADE_UP_DURATION_S = 0.02
MADE_UP_PROBABILITY = 0.05
# Whisper's encoder always looks at 30 s; a segment is padded to that with silence. Cut
# to the speech plus this much silence, encoding takes a fraction of the time. Too little
# and Whisper makes words up at the end: on the 104-clip set (14 voices, 6 conditions)
# 3 s raised the word error rate from 0.24 to 0.28, while 6 s matched 10 s (0.238 and
# 0.246) and saved a fifth of the time. bench/bench_recognition.py compares it with the
# full window.
ENCODER_PAD_S = 6.0  # the prompt shares Whisper's 448-token context with the answer
INT8_CACHE = "whisper-int8"  # under the user cache dir
SHAPE_STEP_FRAMES = 100  # 1 s of features (10 ms each)
START_TIMEOUT_S = 120.0  # importing CTranslate2 and loading a large model, on a slow disk


@dataclass(frozen=True)
class Word:
    """A decoded word as it crosses the process boundary (plain data, cheap to pickle)."""

    word: str
    start: float
    end: float
    conf: float


def cpu_threads() -> int:
    """Threads for one decode: the machine's cores, capped where more stop helping."""
    return max(1, min(os.cpu_count() or 1, 8))


class DecoderProcess:
    """The handle the recognisers hold: a child process with the model loaded."""

    def __init__(
        self, path: Path, encoder_pad_s: float | None = None, cache: Path | None = None
    ) -> None:
        self.path = path
        self._cache = cache_dir() / INT8_CACHE if cache is None else cache
        self._pad_s = ENCODER_PAD_S if encoder_pad_s is None else encoder_pad_s
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._pending: dict[int, Future[list[Word]]] = {}
        self._conn: Connection | None = None
        self._process: Any = None
        self._start_child()

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else int(process.pid)

    def submit(
        self, audio: FloatArray, offset_s: float, hotwords: str, keep_from_s: float = 0.0
    ) -> Future[list[Word]]:
        """The words of ``audio``, timed from ``offset_s``, keeping those whose middle
        lies at or after ``keep_from_s``."""
        future: Future[list[Word]] = Future()
        with self._lock:
            if self._conn is None:  # the child died: a new one for this request
                try:
                    self._start_child()
                except KnownError as err:
                    future.set_exception(err)
                    return future
            assert self._conn is not None
            request = next(self._ids)
            self._pending[request] = future
            try:
                self._conn.send((request, audio, offset_s, hotwords, keep_from_s))
            except (OSError, ValueError) as err:
                self._pending.pop(request, None)
                future.set_exception(KnownError(f"The Whisper decoder stopped ({err})."))
        return future

    def caught_up(self, timeout: float) -> None:
        """Waits until every request sent so far has been answered."""
        with self._lock:
            pending = list(self._pending.values())
        for future in pending:
            future.exception(timeout=timeout)

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            process, self._process = self._process, None
        if conn is not None:
            conn.close()  # the child sees the end of its input and exits
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _start_child(self) -> None:
        """Starts the child and waits until its model is loaded (the caller is the
        model-loading thread, or a request after a crash). Holds ``_lock`` or runs in
        ``__init__``."""
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [*child_command(), str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env={**os.environ, "OMP_NUM_THREADS": str(cpu_threads())},
            )
        except OSError as err:
            ours.close()
            raise KnownError(f"The Whisper decoder could not be started ({err}).") from err
        finally:
            theirs.close()
        conn = Connection(ours.detach())
        try:
            conn.send((str(self.path), self._pad_s, cpu_threads(), str(self._cache)))
            ready = conn.poll(START_TIMEOUT_S)
            status, message = conn.recv() if ready else ("timeout", "")
        except (EOFError, OSError):
            status, message = "died", ""
        if status != "ready":
            conn.close()
            if process.poll() is None:
                process.kill()
            code = process.wait(timeout=10)
            if not message:
                message = (
                    f"{self.path}: the Whisper decoder did not start in time."
                    if status == "timeout"
                    else f"{self.path}: the Whisper decoder stopped while loading the model "
                    f"(exit code {code})."
                )
            raise KnownError(message)
        self._conn, self._process = conn, process
        threading.Thread(
            target=self._read_replies, args=(conn, process), name="whisper-replies", daemon=True
        ).start()

    def _read_replies(self, conn: Connection, process: Any) -> None:
        while True:
            try:
                request, words, error = conn.recv()
            except Exception:  # the end of the pipe, or a reply that cannot be read
                break
            with self._lock:
                future = self._pending.pop(request, None)
            if future is None:
                continue
            if error:
                future.set_exception(KnownError(error))
            else:
                future.set_result(words)
        code = process.wait()
        conn.close()
        with self._lock:
            if self._conn is conn:  # not a close() we asked for: the child died
                self._conn, self._process = None, None
            pending, self._pending = list(self._pending.values()), {}
        for future in pending:
            future.set_exception(KnownError(f"The Whisper decoder stopped (exit code {code})."))


# -- the child ------------------------------------------------------------------------
def child_command() -> list[str]:
    """How to start the child: this module run by the same Python, or in a frozen
    bundle the bundle's executable, whose entry script hands ``--whisper-decoder`` to
    ``child_main``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG]
    return [sys.executable, "-m", __name__]


CHILD_FLAG = "--whisper-decoder"


def child_main(argv: list[str]) -> int:
    """The child's entry point; ``argv`` holds the file descriptor of its socket."""
    conn = Connection(int(argv[0]))
    try:
        path, encoder_pad_s, threads, cache = conn.recv()
    except (EOFError, OSError):
        return 1
    serve(conn, path, encoder_pad_s, threads, Path(cache))
    return 0


def serve(conn: Connection, path: str, encoder_pad_s: float, threads: int, cache: Path) -> None:
    """The child's main loop: load the model (its int8 copy, see ``whisper_int8``), then
    decode requests until the parent closes its end."""
    try:
        model = load_model(loadable(Path(path), cache), encoder_pad_s, threads)
    except KnownError as err:
        conn.send(("error", str(err)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            request, audio, offset_s, hotwords, keep_from_s = conn.recv()
        except (EOFError, OSError):
            return
        try:
            words = decode(model, audio, offset_s, hotwords)
            kept = [w for w in words if (w.start + w.end) / 2 >= keep_from_s]
            reply: tuple[int, list[Word], str] = (request, kept, "")
        except Exception as err:  # CTranslate2 raises RuntimeError on bad input
            reply = (request, [], f"Whisper could not decode the recording ({err}).")
        try:
            conn.send(reply)
        except OSError:
            return  # the parent has gone


def loadable(path: Path, cache: Path) -> Path:
    """The int8 copy of the model at ``path``, or ``path`` itself if none can be made:
    then CTranslate2 quantizes at load, as it always could, at a higher peak."""
    from app.speech.whisper_int8 import int8_model

    try:
        return int8_model(path, cache)
    except KnownError as err:
        print(f"parley: {err} Loading {path} as it is.", file=sys.stderr)
        return path


def load_model(path: Path, encoder_pad_s: float, threads: int) -> Any:
    from app.speech.whisper_models import check_model_dir
    from app.speech.without_pyav import defer_pyav

    check_model_dir(path)
    defer_pyav()  # arrays come in, never files: PyAV would be 18 MiB for nothing
    try:
        from faster_whisper import WhisperModel
    except ImportError as err:
        raise KnownError("faster-whisper is not installed; reinstall Parley.") from err
    pad_frames = int(encoder_pad_s * 100)

    class ShortWindowWhisper(WhisperModel):  # type: ignore[misc]
        def encode(self, features: Any) -> Any:
            # faster-whisper pads every segment's features with zeros to 30 s; encoding
            # only the speech and some of that padding costs a third of the time.
            batch = features if features.ndim == 3 else features[None]
            used = np.flatnonzero(np.any(batch[0] != 0, axis=0))
            keep = encoder_frames(
                int(used[-1]) + 1 if len(used) else 0, batch.shape[-1], pad_frames
            )
            return super().encode(np.ascontiguousarray(batch[..., :keep]))

    try:
        return ShortWindowWhisper(
            str(path),
            device="cpu",
            compute_type="int8",
            cpu_threads=threads,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as err:
        raise KnownError(f"{path}: faster-whisper could not load this model ({err}).") from err


def encoder_frames(speech: int, total: int, pad: int) -> int:
    """How many of a segment's ``total`` feature frames to encode: its ``speech`` frames
    and ``pad`` frames of the silence after them, rounded up to a whole second.

    Why whole seconds: CTranslate2 keeps working memory for every input length it has
    seen, so lengths to the frame made the decoder grow with each answer (136 MiB after
    loading, 503 MiB after 80 clips); on a grid of at most 30 lengths it stops growing
    (306 MiB). A whole second is also an even number of frames, which the encoder's
    convolution, halving them, needs."""
    wanted = max(speech + pad, 1)
    return min(total, -(-wanted // SHAPE_STEP_FRAMES) * SHAPE_STEP_FRAMES)


def decode(model: Any, audio: FloatArray, offset_s: float, hotwords: str) -> list[Word]:
    """Words of one stretch of speech, timed from the start of the recording.

    Greedy, with the filler prompt, first: faster-whisper's own retries at higher
    temperatures, run on every segment, changed no word on the 52-clip set and cost a
    third more time. But now and then (2 of the coverage bench's 80 clips, fast or
    accented speech) greedy decoding falls into a loop, "I'm not, I'm not, ..." for the
    whole answer. Only then is the stretch decoded again: without the prompt, which is
    usually what the loop echoes, and if it still loops, with Whisper's rising
    temperatures."""
    words = _decode_once(model, audio, offset_s, hotwords, FILLER_PROMPT, 0.0)
    if looping(words):
        words = _decode_once(model, audio, offset_s, hotwords, None, 0.0)
    if looping(words):
        _seed_sampling()  # the same recording gives the same words
        words = _decode_once(model, audio, offset_s, hotwords, None, RETRY_TEMPERATURES)
    return words


# Whisper's own test for a failed decode: text that compresses this well repeats itself.
LOOP_COMPRESSION_RATIO = 2.4
RETRY_TEMPERATURES = (0.2, 0.4, 0.6, 0.8, 1.0)


def looping(words: list[Word]) -> bool:
    """Whether ``words`` repeat themselves the way a decoder stuck in a loop does."""
    text = " ".join(w.word for w in words).encode()
    return len(text) > 0 and len(text) / len(zlib.compress(text)) > LOOP_COMPRESSION_RATIO


def _seed_sampling() -> None:
    import ctranslate2  # the child has it loaded already: it is faster-whisper's runtime

    ctranslate2.set_random_seed(0)


def _decode_once(
    model: Any,
    audio: FloatArray,
    offset_s: float,
    hotwords: str,
    prompt: str | None,
    temperature: float | tuple[float, ...],
) -> list[Word]:
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=1,
        word_timestamps=True,
        initial_prompt=prompt,
        hotwords=hotwords or None,
        condition_on_previous_text=False,
        vad_filter=False,  # the segments are already cut at speech
        temperature=temperature,
        compression_ratio_threshold=LOOP_COMPRESSION_RATIO,
        # Speech rarely exceeds 4 words (about 6 tokens) a second: a bound that stops a
        # hallucination loop long before Whisper's own 448.
        max_new_tokens=min(440, int(len(audio) / RATE * 8) + 16),
    )
    words: list[Word] = []
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if not bare(text):
                continue  # punctuation on its own: Whisper's filler for silence
            start = round(offset_s + float(w.start), 2)
            end = round(offset_s + float(w.end), 2)
            conf = round(float(w.probability), 3)
            if words and not w.word[:1].isspace():
                # A piece of the word before ("fine" "-tuning"): Whisper marks new words
                # with a leading space.
                last = words[-1]
                words[-1] = Word(last.word + text, last.start, end, min(last.conf, conf))
            else:
                words.append(Word(text, start, end, conf))
    return without_made_up_ending(words)


def without_made_up_ending(words: list[Word]) -> list[Word]:
    """Drops what Whisper writes after the speech has run out. Given a prompt and
    hotwords, it tends to carry on past the end of a segment ("... themselves. RAG,
    RAG, RAG"), and its own alignment gives that away: such words get no time of their
    own (pinned to the end of the audio) or a probability near zero."""
    end = len(words)
    while end and (
        words[end - 1].end - words[end - 1].start < MADE_UP_DURATION_S
        or words[end - 1].conf < MADE_UP_PROBABILITY
    ):
        end -= 1
    return words[:end]


def bare(word: str) -> str:
    """A word without case or punctuation."""
    return "".join(c for c in word.lower() if c.isalnum())


if __name__ == "__main__":
    # Run as a script this module is ``__main__``; the words it sends must be pickled as
    # ``app.speech.whisper_decoder.Word`` for the parent to read them.
    from app.speech import whisper_decoder

    sys.exit(whisper_decoder.child_main(sys.argv[1:]))
