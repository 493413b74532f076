"""Entry script of the frozen app: the same ``parley`` command the console script runs."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--whisper-decoder"]:
        # The Whisper decoder runs in a child process (app/speech/whisper_decoder.py);
        # in a frozen bundle that child is this executable again.
        from app.speech.whisper_decoder import child_main

        sys.exit(child_main(sys.argv[2:]))
    from app.cli.main import run

    run()
