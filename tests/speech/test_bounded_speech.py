"""Speech work with bounds and one-line refusals (issue 13, faults 8 and 11): text too
long to speak, recordings too long to transcribe, output paths that are not files,
non-UTF-8 file names, and model zips that are encrypted or made with ``./`` entries."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from app.cli.main import main
from app.speech import audio
from app.speech.audio import MAX_WAV_SECONDS, AudioFileError
from app.speech.model_install import ModelInstallError, install_model_zip
from app.speech.tts import MAX_SPEAK_CHARS

VOSK_LAYOUT = {
    "am/final.mdl": b"acoustic model",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "conf/model.conf": b"--beam=10\n",
    "graph/HCLG.fst": b"graph",
    "graph/words.txt": b"<eps> 0\n",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_text_too_long_to_speak_is_refused_before_espeak_runs(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "long.wav"
    code, stdout, err = run(capsys, "speak", "word " * (MAX_SPEAK_CHARS // 4), "-o", str(out))
    assert code == 1 and stdout == ""
    line = one_line(err)
    assert "text to speak" in line and f"{MAX_SPEAK_CHARS:,}" in line
    assert not out.exists() and not (data_dir / "cache").exists()


@pytest.mark.parametrize("kind", ["folder", "symlink", "fifo", "missing-folder"])
def test_speak_writes_only_to_regular_files(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "out.wav"
    if kind == "folder":
        target.mkdir()
    elif kind == "symlink":
        target.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target = tmp_path / "nowhere" / "out.wav"
    code, stdout, err = run(capsys, "speak", "hello", "-o", str(target))
    assert code == 1 and stdout == ""
    line = one_line(err)
    assert line.startswith(f"parley: {target}")
    assert victim.read_text() == "keep me"
    if kind == "symlink":
        assert target.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_copy_atomic_never_replaces_a_link_or_a_device(tmp_path: Path) -> None:
    src = tmp_path / "src.wav"
    src.write_bytes(b"RIFF")
    link = tmp_path / "link"
    link.symlink_to("/dev/null")
    for dst in (link, tmp_path):
        with pytest.raises(AudioFileError, match="not a regular file"):
            audio.copy_atomic(src, dst)
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


def test_a_recording_over_the_cap_is_refused_with_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = tmp_path / "three-hours.wav"
    rate = 1000  # a low rate keeps a long file small on disk
    with sf.SoundFile(wav, "w", rate, 1, "PCM_U8") as out:
        block = np.zeros(rate * 60, dtype=np.float32)
        for _ in range(MAX_WAV_SECONDS // 60 + 1):
            out.write(block)
    code, stdout, err = run(capsys, "transcribe", str(wav))
    assert code == 1 and stdout == ""
    line = one_line(err)
    assert str(wav) in line and f"at most {MAX_WAV_SECONDS // 60} minutes" in line
    with pytest.raises(AudioFileError, match="minutes long"):
        audio.read_wav(wav)


def test_a_long_file_is_converted_block_by_block_with_progress(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    frames = (rng.standard_normal((44_100 * 5, 2)) * 0.1).astype(np.float32)
    wav = tmp_path / "stereo.wav"
    sf.write(wav, frames, 44_100, subtype="FLOAT")
    seen: list[tuple[float, float]] = []
    pcm = audio.load_pcm16k(wav, lambda done, total: seen.append((done, total)))
    whole = audio.convert(*audio.read_wav(wav))
    assert len(pcm) == len(whole)
    diff = np.abs(np.frombuffer(pcm, "<i2").astype(int) - np.frombuffer(whole, "<i2"))
    assert diff.max() <= 1
    assert len(seen) > 1 and seen[-1] == (5.0, 5.0)
    assert audio.wav_seconds(wav) == 5.0


def test_a_wav_with_a_non_utf8_name_is_read(tmp_path: Path) -> None:
    wav = Path(os.fsdecode(bytes(tmp_path) + b"/r\xe9ponse.wav"))
    sf.write(os.fsencode(wav), np.zeros(1600, dtype=np.float32), 16_000, format="WAV")
    assert len(audio.load_pcm16k(wav)) == 3200
    with pytest.raises(AudioFileError) as caught:
        audio.load_pcm16k(Path(os.fsdecode(bytes(tmp_path) + b"/\xff.wav")))
    assert "no such file" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.slow
def test_speak_to_a_non_utf8_name_prints_a_readable_path(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = Path(os.fsdecode(bytes(tmp_path) + b"/r\xe9ponse.wav"))
    code, stdout, err = run(capsys, "speak", "hello", "-o", str(target))
    assert code == 0, err
    assert target.is_file() and "r\ufffdponse.wav" in stdout


def _encrypt_flag(path: Path) -> None:
    """Sets the "encrypted" bit on every entry, as `zip -e` would (zipfile cannot)."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            data[at + offset] |= 0x1
            start = at + 4
    path.write_bytes(bytes(data))


def test_an_encrypted_model_zip_is_refused_and_leaves_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "secret-model.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in VOSK_LAYOUT.items():
            zf.writestr(f"secret-model/{name}", data)
    _encrypt_flag(archive)
    code, stdout, err = run(capsys, "models", "install", str(archive))
    assert code == 1 and stdout == ""
    line = one_line(err)
    assert str(archive) in line and "encrypted" in line
    models = data_dir / "models"
    assert not models.exists() or list(models.iterdir()) == []


@pytest.mark.parametrize("prefix", ["./", "./vosk-small/", "vosk-small/./"])
def test_a_zip_with_dot_slash_entries_installs_into_its_own_folder(
    data_dir: Path, tmp_path: Path, prefix: str
) -> None:
    archive = tmp_path / "vosk-small.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in VOSK_LAYOUT.items():
            zf.writestr(prefix + name, data)
    model = install_model_zip(archive, data_dir)
    models = data_dir / "models"
    assert model.path == models / "vosk-small"
    assert sorted(p.name for p in models.iterdir()) == ["vosk-small"]
    assert (models / "vosk-small" / "am" / "final.mdl").read_bytes() == b"acoustic model"
    with pytest.raises(ModelInstallError, match="already installed"):
        install_model_zip(archive, data_dir)


def test_installing_the_current_folder_names_it_by_its_real_name(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my-vosk"
    for name, data in VOSK_LAYOUT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    monkeypatch.chdir(folder)
    model = install_model_zip(Path("."), data_dir)
    assert model.path == data_dir / "models" / "my-vosk"


def test_progress_type_is_seconds(tmp_path: Path) -> None:
    progress: Callable[[float, float], None] = lambda done, total: None  # noqa: E731
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(16_000, dtype=np.float32), 16_000)
    assert audio.pcm_duration(audio.load_pcm16k(wav, progress)) == 1.0
