#!/usr/bin/env bash
# Build the Parley bundle into dist/parley/ (one folder, run dist/parley/parley).
#
#   packaging/build.sh                         # PocketSphinx only (its en-us model is inside)
#   packaging/build.sh --with-vosk-model DIR   # also ship a Vosk model, fully offline
#
# Uses the project's venv ($PARLEY_VENV, default .venv), installing PyInstaller into it
# from the `package` extra when missing. Build files go to build/, the bundle to dist/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PARLEY_VENV:-$here/.venv}"
py="$venv/bin/python"

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

vosk_model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --with-vosk-model) [ $# -ge 2 ] || { usage >&2; exit 2; }; vosk_model="$2"; shift 2 ;;
    --with-vosk-model=*) vosk_model="${1#*=}"; shift ;;
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
if [ -n "$vosk_model" ]; then
  vosk_model="$(cd "$vosk_model" && pwd)" || { echo "build.sh: no folder $vosk_model" >&2; exit 1; }
  # Refuse a folder the app would reject, with the app's own message, and say when the
  # model will not become the default engine (only English models do).
  "$py" - "$vosk_model" <<'PY'
import sys
from pathlib import Path

from app.core.errors import KnownError
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
    print("build.sh: warning: not recognised as English, so PocketSphinx stays the default;"
          " add a 'parley-language' file containing 'en' to the model folder if it is English.")
PY
  spec_args=(-- --with-vosk-model "$vosk_model")
fi

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
  resources/icons/parley.svg \
  db/migrations/env.py \
  db/migrations/versions/0001_initial_schema.py \
  pocketsphinx/model/en-us/en-us/mdef \
  pocketsphinx/model/en-us/cmudict-en-us.dict \
  pocketsphinx/model/en-us/en-us.lm.bin \
  vosk/libvosk.so \
  PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so \
  PySide6/Qt/plugins/platforms/libqoffscreen.so \
  PySide6/QtCharts.abi3.so \
  PySide6/QtSvg.abi3.so; do
  [ -e "$internal/$f" ] || { echo "build.sh: missing from the bundle: $f" >&2; missing=1; }
done
compgen -G "$internal/_soundfile_data/libsndfile*" >/dev/null ||
  { echo "build.sh: missing from the bundle: _soundfile_data/libsndfile*" >&2; missing=1; }
[ "$missing" -eq 0 ] || exit 1

echo "Built dist/parley: $(du -sh dist/parley | cut -f1), $(find dist/parley -type f | wc -l) files."
echo "Run it with dist/parley/parley; check it with packaging/smoke_test.sh."
