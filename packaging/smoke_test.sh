#!/usr/bin/env bash
# Smoke-test the built bundle as a user's machine would run it: no venv, no source tree,
# a bare environment, another working directory.
#
#   packaging/smoke_test.sh [BUNDLE_DIR]      # default: dist/parley
#
# The bundle is copied to a temporary folder; when mount namespaces are available
# (root, or unprivileged user namespaces), the whole source tree - venv included - is
# hidden behind an empty tmpfs for the runs. Checks:
#   1. no bundled library resolves into the venv or the source tree (ldd), no RPATH leaks;
#   2. `parley --version`;
#   3. `parley gui --quit-after-start` offscreen shows the home window and exits 0,
#      and the collection it created holds the built-in deck (migrations + seeding);
#   4. `parley transcribe` with the embedded PocketSphinx engine finds the expected words;
#      a model added by build.sh --with-vosk-model is found by the app and runs, and the
#      default engine is Vosk exactly when that model is English;
#   5. `parley speak` renders speech (pyttsx3's espeak driver, frozen) when the system has
#      libespeak-ng;
#   6. with strace present: none of the runs tried an internet (AF_INET/AF_INET6) connect.
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

# --- the runs, in a bare environment, with the source tree hidden when possible ----------
wav="$tmp/cwd/answer.wav"
sample="$internal/resources/samples/sample-answer.wav"
if [ -f "$sample" ]; then
  # The shipped clip says "Retrieval augmented generation searches your documents for each
  # question and passes the relevant passages to the model's context"; these are the words
  # PocketSphinx's en-us model hears reliably (a sample-answer.txt beside it would win).
  cp "$sample" "$wav"
  expect_words="augmented generation documents question relevant passages context"
  if [ -f "${sample%.wav}.txt" ]; then
    expect_words="$(tr 'A-Z' 'a-z' < "${sample%.wav}.txt" | tr -cs 'a-z' ' ')"
  fi
  echo "using the shipped sample resources/samples/sample-answer.wav"
elif command -v flite >/dev/null; then
  # flite's rms voice is one PocketSphinx's en-us model hears word for word.
  flite -voice rms -t "We should use retrieval because the documents change every week." -o "$wav"
  expect_words="documents change week"
  echo "using a flite-synthesised answer (the bundle has no resources/samples/sample-answer.wav)"
else
  fail "no sample WAV: resources/samples/sample-answer.wav is not in the bundle and flite is missing"
fi
have_espeak=no  # pyttsx3 loads the system's libespeak-ng; it is not bundled
if /sbin/ldconfig -p 2>/dev/null | grep -q 'libespeak-ng\.so\.1'; then have_espeak=yes; fi
bundled_model=""  # a folder build.sh --with-vosk-model put in the bundle
for d in "$internal"/models/*/; do [ -d "$d" ] && bundled_model="$(basename "$d")"; done

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
trace sphinx timeout 300 "$app" transcribe "$wav" --json --engine pocketsphinx \
  --data-dir "$tmp/data" > "$tmp/sphinx.json" 2> "$tmp/sphinx.err"
trace auto timeout 300 "$app" transcribe "$wav" --json --data-dir "$tmp/data" \
  > "$tmp/auto.json" 2> "$tmp/auto.err"
if [ "$have_espeak" = yes ]; then
  trace speak timeout 120 "$app" speak "Retrieval keeps answers grounded." -o "$tmp/spoken.wav" \
    --json --data-dir "$tmp/data" > "$tmp/speak.json" 2> "$tmp/speak.err"
fi
trace models timeout 120 "$app" models list --json --data-dir "$tmp/data" > "$tmp/models.json"
if [ -n "$bundled_model" ]; then
  trace vosk timeout 300 "$app" transcribe "$wav" --json --engine vosk \
    --data-dir "$tmp/data" > "$tmp/vosk.json" 2> "$tmp/vosk.err"
fi
RUNS

hidden="no"
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
  hidden="yes"; ns=(unshare -m --propagation private)
elif unshare -rm true 2>/dev/null; then
  hidden="yes"; ns=(unshare -rm --propagation private)
fi
status=0
if [ "$hidden" = yes ]; then
  "${ns[@]}" bash -c 'mount -t tmpfs -o size=1m parley-hidden "$1" && exec bash "$2"' _ \
    "$here" "$tmp/runs.sh" || status=$?
  echo "(ran with $here hidden behind an empty tmpfs)"
else
  echo "warning: cannot hide $here (no mount namespace); running with env -i only" >&2
  bash "$tmp/runs.sh" || status=$?
fi
if [ "$status" -ne 0 ]; then
  for f in version.out gui.out gui.err sphinx.err auto.err vosk.err speak.err; do
    [ -s "$tmp/$f" ] && { echo "--- $f"; tail -20 "$tmp/$f"; }
  done
  fail "a run exited with status $status"
fi

# --- 2-4. what the runs printed --------------------------------------------------------
[ "$(cat "$tmp/version.out")" = "parley $version" ] || fail "--version printed: $(cat "$tmp/version.out")"
ok "--version: $(cat "$tmp/version.out")"

! grep -q Traceback "$tmp/gui.err" || { cat "$tmp/gui.err"; fail "gui printed a traceback"; }
[ -f "$tmp/data/collection.sqlite3" ] || fail "gui did not create the collection"
grep -q '"RAG vs Fine-Tuning"' "$tmp/decks.json" || fail "the built-in deck is missing: $(cat "$tmp/decks.json")"
ok "gui --quit-after-start exited 0; the collection holds the built-in deck"

check_transcript() {  # file engine
  python3 - "$1" "$2" "$expect_words" <<'PY'
import json, sys
path, engine, expected = sys.argv[1], sys.argv[2], sys.argv[3].split()
out = json.load(open(path))
words = set(out["text"].lower().split())
missing = [w for w in expected if w not in words]
if out["engine"] != engine or missing:
    sys.exit(f"{path}: engine {out['engine']!r} (wanted {engine}), text {out['text']!r}, missing {missing}")
print(f"ok: transcribe ({engine}): {out['text']!r}")
PY
}
check_transcript "$tmp/sphinx.json" pocketsphinx || fail "PocketSphinx transcript"

# The bundled model, as the frozen app's own lookup (app/speech/vosk_models.py) sees it.
read -r default_engine bundled_found < <(python3 - "$tmp/models.json" <<'PY'
import json, sys
models = [m for m in json.load(open(sys.argv[1])) if m["source"] == "bundled" and m["valid"]]
english = any(m["language"] == "en" for m in models)
print("vosk" if english else "pocketsphinx", ",".join(m["name"] for m in models) or "-")
PY
)
if [ -n "$bundled_model" ]; then
  [[ ",$bundled_found," == *",$bundled_model,"* ]] ||
    fail "models/$bundled_model is in the bundle but the app does not find it (found: $bundled_found)"
  ok "the app finds the bundled Vosk model $bundled_model"
  if [ "$default_engine" = vosk ]; then
    check_transcript "$tmp/vosk.json" vosk || fail "bundled Vosk model transcript"
  else
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["engine"]; sys.exit(e!="vosk" and f"engine {e}")' \
      "$tmp/vosk.json" || fail "Vosk did not run with the bundled model"
    ok "Vosk runs with the bundled model (not English, so not the default engine)"
  fi
fi
python3 - "$tmp/auto.json" "$default_engine" <<'PY' || fail "default engine"
import json, sys
engine = json.load(open(sys.argv[1]))["engine"]
sys.exit(engine != sys.argv[2] and f"default engine is {engine}, expected {sys.argv[2]}")
PY
ok "default engine: $default_engine"

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

# --- 6. no network ----------------------------------------------------------------------
if command -v strace >/dev/null; then
  if grep -hE 'sa_family=AF_INET6?\b' "$tmp"/strace.*.log; then
    fail "the app tried to open an internet connection (above)"
  fi
  ok "no AF_INET/AF_INET6 connect() in any run ($(cat "$tmp"/strace.*.log | grep -c 'connect(' || true) connect calls, all local)"
else
  echo "note: strace not installed; network use not checked"
fi
echo "PASS: smoke test of $bundle ($(du -sh "$bundle" | cut -f1), $(find "$bundle" -type f | wc -l) files)"
