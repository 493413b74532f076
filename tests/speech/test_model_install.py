"""A user downloads a Vosk model .zip and installs it: a real model installs and works,
anything unsafe or incomplete is refused, and a refusal leaves nothing behind."""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.speech import model_install
from app.speech.model_install import ModelInstallError, install_model_zip
from app.speech.recognizer import transcribe_pcm
from app.speech.vosk_engine import VoskRecognizer

LAYOUT = {
    "am/final.mdl": b"acoustic model",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "conf/model.conf": b"--beam=10\n",
    "graph/HCLG.fst": b"graph",
    "graph/words.txt": b"<eps> 0\n",
    "README": b"US English model for mobile Vosk applications\n",
}


def make_zip(path: Path, files: dict[str, bytes], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(prefix + name, data)
    return path


def leftovers(data_dir: Path) -> list[str]:
    models = data_dir / "models"
    return sorted(p.name for p in models.iterdir()) if models.exists() else []


@pytest.mark.slow
def test_a_downloaded_model_zip_installs_and_recognises(
    data_dir: Path, korean_model: Path, tmp_path: Path, espeak_wav: Callable[..., Path]
) -> None:
    from app.speech import audio

    archive = tmp_path / "vosk-model-small-ko-0.22.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:  # stored: quick to build
        for src in sorted(korean_model.rglob("*")):
            if src.is_file():
                zf.write(src, f"vosk-model-small-ko-0.22/{src.relative_to(korean_model)}")
    progress: list[tuple[int, int]] = []

    model = install_model_zip(archive, data_dir, lambda done, total: progress.append((done, total)))

    assert model.path == data_dir / "models" / "vosk-model-small-ko-0.22"
    assert model.valid and model.language == "ko"
    assert leftovers(data_dir) == ["vosk-model-small-ko-0.22"]
    dones = [d for d, _ in progress]
    assert dones == sorted(dones) and len(progress) > 10
    assert progress[-1][0] == progress[-1][1] == model.size_bytes()
    pcm = audio.load_pcm16k(espeak_wav("안녕하세요 저는 학생입니다"))
    assert transcribe_pcm(VoskRecognizer(model.path), pcm).words


def test_a_zip_with_the_model_at_its_top_is_named_after_the_zip(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-en-us-0.15.zip", LAYOUT)

    model = install_model_zip(archive, data_dir, language="en")

    assert model.path.name == "vosk-model-small-en-us-0.15"
    assert model.english and model.valid
    assert (model.path / "am" / "final.mdl").read_bytes() == b"acoustic model"


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("model/../../escaped.txt", "points outside"),
        ("/tmp/parley-absolute.txt", "points outside"),
        ("C:/Windows/evil.txt", "points outside"),
        ("model\\..\\..\\escaped.txt", "points outside"),
    ],
)
def test_entries_that_escape_the_folder_are_refused(
    data_dir: Path, tmp_path: Path, entry: str, why: str
) -> None:
    archive = make_zip(tmp_path / "evil.zip", {**LAYOUT, entry: b"gotcha"}, prefix="")
    with pytest.raises(ModelInstallError, match=why):
        install_model_zip(archive, data_dir)
    assert leftovers(data_dir) == []
    assert not (tmp_path / "escaped.txt").exists() and not (data_dir / "escaped.txt").exists()


def test_a_symlink_entry_is_refused(data_dir: Path, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "links.zip", LAYOUT, prefix="m/")
    with zipfile.ZipFile(archive, "a") as zf:
        link = zipfile.ZipInfo("m/graph/HCLr.fst")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(ModelInstallError, match="symbolic link"):
        install_model_zip(archive, data_dir)
    assert leftovers(data_dir) == []


def test_a_zip_that_is_not_a_model_is_refused(data_dir: Path, tmp_path: Path) -> None:
    holiday = make_zip(tmp_path / "holiday.zip", {"photos/beach.jpg": b"\xff\xd8", "a.txt": b""})
    with pytest.raises(ModelInstallError, match=r"not a speech model.*am/final\.mdl"):
        install_model_zip(holiday, data_dir)

    not_zip = tmp_path / "model.zip"
    not_zip.write_text("this is not a zip")
    with pytest.raises(ModelInstallError, match=r"model\.zip: not a readable \.zip"):
        install_model_zip(not_zip, data_dir)
    assert leftovers(data_dir) == []


def test_an_incomplete_model_is_refused_after_unpacking_and_cleaned_up(
    data_dir: Path, tmp_path: Path
) -> None:
    partial = {k: v for k, v in LAYOUT.items() if not k.startswith("graph/")}
    archive = make_zip(tmp_path / "vosk-model-partial.zip", partial, prefix="vosk-model-partial/")

    with pytest.raises(ModelInstallError, match=r"not a complete Vosk model.*graph/HCLG\.fst"):
        install_model_zip(archive, data_dir)

    assert leftovers(data_dir) == []  # not even the hidden staging folder


def test_size_and_entry_limits_guard_against_zip_bombs(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_zip(tmp_path / "big.zip", {**LAYOUT, "graph/Gr.fst": b"\0" * 200_000})
    monkeypatch.setattr(model_install, "MAX_TOTAL_BYTES", 100_000)
    with pytest.raises(ModelInstallError, match="more than the"):
        install_model_zip(archive, data_dir)
    monkeypatch.setattr(model_install, "MAX_TOTAL_BYTES", 10**9)
    monkeypatch.setattr(model_install, "MAX_ENTRIES", 3)
    with pytest.raises(ModelInstallError, match="entries"):
        install_model_zip(archive, data_dir)
    assert leftovers(data_dir) == []


def test_installing_the_same_model_twice_keeps_the_first(data_dir: Path, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-en-us-0.15.zip", LAYOUT)
    install_model_zip(archive, data_dir)
    with pytest.raises(ModelInstallError, match="already installed"):
        install_model_zip(archive, data_dir)
    assert leftovers(data_dir) == ["vosk-model-small-en-us-0.15"]


def test_a_failure_while_unpacking_leaves_nothing_half_installed(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-en-us-0.15.zip", LAYOUT)
    calls = 0

    def disk_fills_up(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")

    with pytest.raises(ModelInstallError, match="No space left"):
        install_model_zip(archive, data_dir, disk_fills_up)
    assert leftovers(data_dir) == []


def test_a_whisper_model_installs_from_a_folder_or_a_zip_and_becomes_the_default(
    data_dir: Path, tmp_path: Path
) -> None:
    from app.speech.engines import choose_engine
    from app.speech.whisper_models import builtin_model

    source = builtin_model()
    assert source is not None
    folder = tmp_path / "whisper-small-en"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (folder / name).write_bytes((source / name).read_bytes())
    (folder / "model.bin").write_bytes(b"weights")
    archive = make_zip(
        tmp_path / "faster-whisper-base.en.zip",
        {f"base.en/{p.name}": p.read_bytes() for p in folder.iterdir()},
    )

    from_folder = install_model_zip(folder, data_dir)
    from_zip = install_model_zip(archive, data_dir)

    assert (from_folder.engine, from_folder.valid) == ("whisper", True)
    assert (from_zip.engine, from_zip.path.name) == ("whisper", "base.en")
    assert (data_dir / "models" / "whisper-small-en" / "model.bin").read_bytes() == b"weights"
    assert choose_engine(data_dir).model.source == "data dir"  # the user's model wins
    leftovers = [p for p in (data_dir / "models").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_whisper_zip_without_its_tokenizer_is_refused_whole(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = make_zip(
        tmp_path / "half.zip",
        {"tiny/model.bin": b"w", "tiny/config.json": b'{"alignment_heads": []}'},
    )
    with pytest.raises(ModelInstallError, match=r"not a complete Whisper.*tokenizer\.json"):
        install_model_zip(archive, data_dir)
    assert not (data_dir / "models" / "tiny").exists()
