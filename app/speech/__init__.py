"""Speech: text-to-speech, recognition engines, audio conversion, capture and playback.

Qt appears only in ``capture`` and ``playback``; everything else also serves the CLI.
The GUI's entry points: ``tts.Speaker`` (render text to a cached WAV, returns a
future), ``playback.Player`` (play/stop/replay, ``finished``), ``capture.Recorder``
(record into a recogniser, ``level``/``partial``/``finished``/``failed``) and
``engines.choose_from_settings`` (which recogniser, and why).
"""
