"""Scoring one answer: a 200-word spoken answer against 30 key points.

The answer is the built-in deck's model answers run together and cut at 200 words, with
recogniser-style timed words at 150 words a minute (so delivery analysis runs as it does
for a spoken answer); the key points are the first 30 of the deck's role-plays. Key points
are compiled once per distinct set and cached, so there are two cases: "warm" is every
answer after the first to the same card, "cold" clears the cache before each call, as for
the first answer to a card. The baseline is tokenising the same text alone, the floor
under any scoring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.common import Figure, percentile, standalone, time_calls

if TYPE_CHECKING:
    from app.model.deckdata import KeyPoint
    from app.scoring import TimedWord

BUDGET_MS = 5.0
ANSWER_WORDS = 200
KEY_POINTS = 30


def material() -> tuple[str, list[KeyPoint], list[TimedWord]]:
    from app.core.seed import builtin_deck_path
    from app.formats.native import read_native
    from app.scoring import TimedWord

    deck = read_native(builtin_deck_path("rag-vs-fine-tuning"))
    roleplays = [c for c in deck.cards if c.kind == "roleplay"]
    words: list[str] = []
    for card in roleplays * 4:
        words += card.model_answer.split()
    text = " ".join(words[:ANSWER_WORDS])
    key_points = [kp for card in roleplays for kp in card.key_points][:KEY_POINTS]
    if len(key_points) < KEY_POINTS:
        raise RuntimeError(f"the built-in deck has only {len(key_points)} key points")
    timed = [
        TimedWord(word=w.strip(".,;:!?\"'").lower(), start=i * 0.4, end=i * 0.4 + 0.3, conf=0.9)
        for i, w in enumerate(text.split())
    ]
    return text, key_points, timed


def run(quick: bool = False) -> list[Figure]:
    from app.scoring import score_answer
    from app.scoring.matching import _compiled
    from app.scoring.normalize import tokenize

    repeats = 50 if quick else 300
    text, key_points, timed = material()
    duration = timed[-1].end + 0.5

    def score() -> object:
        return score_answer(text, key_points, words=timed, duration_s=duration)

    def score_cold() -> object:
        _compiled.cache_clear()
        return score()

    base = time_calls(lambda: tokenize(text), repeats, warmup=5)
    warm = time_calls(score, repeats, warmup=5)
    cold = time_calls(score_cold, max(20, repeats // 5), warmup=1)
    result = score_answer(text, key_points, words=timed, duration_s=duration)
    info = {"answer_words": len(text.split()), "key_points": len(key_points)}
    met = sum(r.met for r in result.key_points)
    info["key_points_met"] = met
    figures = []
    for case, stats in (("", warm), ("first answer to a card (compiles), ", cold)):
        for which, value, cpu in (
            ("median", stats.median, stats.cpu_median),
            ("p95", stats.p95, percentile(stats.cpu_samples, 95)),
        ):
            figures.append(
                Figure(
                    "scoring",
                    f"{case or '200 words × 30 key points, '}{which}",
                    value * 1000,
                    "ms",
                    budget=BUDGET_MS,
                    baseline=base.median * 1000,  # wall, like the figures
                    baseline_name="tokenise alone",
                    cpu=cpu * 1000 if cpu is not None else None,
                    detail={**stats.summary_ms(), **info, "baseline": base.summary_ms()},
                )
            )
    return figures


if __name__ == "__main__":
    standalone(run)
