"""``parley speak|voices|transcribe|score|models``: the speech pipeline without the GUI.

Same services as the app: the TTS worker, the engine choice, the scorer and the store.
Everything a script reads goes to stdout (JSON with ``--json``); hints go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.outputs import check_output, one_line_errors, shown
from app.model.errors import KnownError, NotFoundError
from app.model.paths import recordings_dir

if TYPE_CHECKING:
    from app.speech.recognizer import Hints, Transcript

# Every command's parser is built at start-up, so this module loads for ``parley
# import`` too. The engine registry (app.speech.engines) and the audio code load numpy
# and the recognisers, a fifth of a second that only the speech commands use: they are
# imported inside those commands. Even the model modules (a thread pool, the model
# folders) are left to them: the names are written here, in the registry's order, and a
# test checks that the two agree.
ENGINE_NAMES: tuple[str, ...] = ("whisper", "vosk")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("speak", parents=[common], help="render text to a WAV with text-to-speech")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("-o", "--output", required=True, metavar="WAV")
    p.add_argument("--voice", metavar="ID", help="a voice id from 'parley voices'")
    p.add_argument("--rate", type=int, metavar="WPM", help="words per minute")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_speak)

    p = sub.add_parser("voices", parents=[common], help="list text-to-speech voices")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_voices)

    p = sub.add_parser("transcribe", parents=[common], help="transcribe a WAV file")
    p.add_argument("file", metavar="FILE.wav")
    _engine_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser("score", parents=[common], help="score a spoken or typed answer")
    p.add_argument("card_id", type=int, metavar="CARD_ID")
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("--wav", metavar="FILE", help="a recorded answer")
    given.add_argument("--text", metavar="TEXT", help="a typed answer")
    _engine_options(p)
    p.add_argument("--no-save", action="store_true", help="do not record the attempt")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("models", parents=[common], help="speech models (Whisper, Vosk)")
    models = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    q = models.add_parser("list", parents=[common], help="list models and their languages")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_models_list)
    q = models.add_parser(
        "install", parents=[common], help="install a model from a .zip or a folder"
    )
    q.add_argument("zip", metavar="PATH")
    q.add_argument("--language", metavar="CODE", help="declare its language, e.g. en")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_models_install)


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=ENGINE_NAMES)
    p.add_argument("--model", metavar="DIR", help="a model folder for the engine")
    p.add_argument(
        "--vosk-model", metavar="DIR", help="a Vosk model folder (implies --engine vosk)"
    )


def cmd_speak(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.speech import audio
    from app.speech.tts import Speaker

    out = check_output(Path(args.output))  # before the slow part
    with one_line_errors(ctx.data_dir):
        speaker = Speaker.for_data_dir(ctx.data_dir)
        rendered = speaker.render_now(args.text, args.voice, args.rate)
        duration = audio.wav_seconds(rendered)
        audio.copy_atomic(rendered, out)
    if args.json:
        ctx.emit_json({"path": shown(out), "duration_s": round(duration, 2)})
    else:
        print(f"{shown(out)} ({duration:.1f} s)")
    return 0


def cmd_voices(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.speech.tts import list_voices

    voices = list_voices().result()
    if args.json:
        ctx.emit_json([v.to_json() for v in voices])
    else:
        for v in voices:
            print(f"{v.id:<24} {v.name} ({', '.join(v.languages)})")
    return 0


def _transcribe(
    ctx: CliContext, args: argparse.Namespace, wav: Path, hints: Hints | None = None
) -> Transcript:
    from app.speech import audio
    from app.speech.engines import choose_from_settings
    from app.speech.recognizer import transcribe_pcm

    engine, model = args.engine, args.model
    if args.vosk_model:
        engine, model = engine or "vosk", model or args.vosk_model
    choice = choose_from_settings(ctx.data_dir, engine, model)
    pcm = audio.load_pcm16k(wav)
    return transcribe_pcm(choice.recognizer(hints, live=False), pcm)


def cmd_transcribe(ctx: CliContext, args: argparse.Namespace) -> int:
    transcript = _transcribe(ctx, args, Path(args.file))
    if args.json:
        ctx.emit_json(transcript.to_json())
    else:
        print(transcript.text)
    return 0


def cmd_score(ctx: CliContext, args: argparse.Namespace) -> int:
    with one_line_errors(ctx.data_dir):
        return _score(ctx, args)


def _score(ctx: CliContext, args: argparse.Namespace) -> int:
    # Scoring loads numpy and the scorer: a tenth of a second every other command,
    # an import among them, need not wait for.
    from app.core import services
    from app.rehearsal.session import card_hints, score_and_record
    from app.speech import audio

    if not 1 <= args.card_id < 2**63:  # beyond SQLite's integers no card can have it
        raise NotFoundError(f"no card with id {args.card_id}")
    store = ctx.store()
    with store.session() as s:  # fail on a wrong id before the slow part
        card = services.get_card(s, args.card_id)
    if card.kind != "roleplay":
        raise KnownError(f"card {card.id} is a flashcard; only role-plays are scored.")
    transcript = None
    if args.wav is not None:
        transcript = _transcribe(ctx, args, Path(args.wav), card_hints(card))
    saved = None
    if args.wav and transcript is not None and not args.no_save and not transcript.heard_nothing:
        import uuid

        name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.wav"
        saved = audio.copy_atomic(args.wav, recordings_dir(ctx.data_dir) / name)
    try:
        with store.session() as s:
            answer = score_and_record(
                s, card, transcript, args.text, str(saved) if saved else None, not args.no_save
            )
    except BaseException:
        if saved:
            saved.unlink(missing_ok=True)
        raise
    out = {
        "card_id": card.id,
        "engine": answer.engine,
        "transcript": answer.result.transcript,
        **answer.result.to_json(),
        "attempt_id": answer.attempt_id,
    }
    if args.json:
        ctx.emit_json(out)
    else:
        _print_score(out)
    return 0


def _print_score(out: dict[str, Any]) -> None:
    print(f"Transcript ({out['engine']}): {out['transcript']}")
    print(f"Coverage {out['coverage']:.0%} — suggested rating {out['suggested_rating']}")
    for kp in out["key_points"]:
        mark = "✓" if kp["met"] else "✗"
        evidence = f" — “{kp['evidence']}”" if kp.get("evidence") else ""
        print(f"  {mark} {kp['label']}{evidence}")
    d = out["delivery"]
    parts = []
    if d.get("wpm") is not None:
        parts.append(f"{d['wpm']:.0f} wpm")
    fillers = ", ".join(f"{w}×{n}" for w, n in d.get("fillers", {}).items()) or "none"
    parts += [f"fillers: {fillers}", f"long pauses: {d.get('long_pauses', 0)}"]
    parts.append(f"hedges: {d.get('hedges', 0)}")
    print("Delivery: " + "; ".join(parts))


def cmd_models_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.model.settings import Settings
    from app.speech.engines import ENGINES

    chosen = Settings.load(ctx.data_dir).engine_models()
    found = [m for e in ENGINES for m in e.candidates(ctx.data_dir, chosen.get(e.name) or None)]
    if args.json:
        ctx.emit_json([m.to_json() for m in found])
        return 0
    for m in found:
        state = "ok" if m.valid else "incomplete: " + "; ".join(m.problems)
        size = (m.size_bytes() if m.path.is_dir() else 0) / 1024**2
        print(
            f"{m.engine:<8} {m.path.name:<32} {m.language or '?':<4} {size:8.1f} MB  "
            f"{m.source:<9} {state}"
        )
        print(f"    {m.path}")
    return 0


def cmd_models_install(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.speech.model_install import install_model_zip

    last_percent = -1

    def progress(done: int, total: int) -> None:
        nonlocal last_percent
        percent = done * 100 // total if total else 100
        if sys.stderr.isatty() and percent != last_percent:
            last_percent = percent
            print(f"\rInstalling… {percent}%", end="", file=sys.stderr, flush=True)

    with one_line_errors(ctx.data_dir):
        model = install_model_zip(Path(args.zip), ctx.data_dir, progress, args.language)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        ctx.emit_json(model.to_json())
    else:
        print(
            f"Installed {model.engine} model {shown(model.path)} "
            f"(language: {model.language or '?'})."
        )
        if not model.english:
            print(
                f"It is not recognised as English, so Parley will use it only with "
                f"'--engine {model.engine}' (or pass --language en if it is English).",
                file=sys.stderr,
            )
    return 0
