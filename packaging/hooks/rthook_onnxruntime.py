"""Runtime hook: turn off onnxruntime's telemetry before anything imports it.

onnxruntime (1.32, as constraints.txt pins it) starts a telemetry client on Linux when it
is imported: it keeps a device id and an event store in
``~/.cache/Microsoft/DeveloperTools/.onnxruntime`` and, about ten seconds later, tries to
upload to mobile.events.data.microsoft.com (port 443). Parley promises no network use.
``ORT_DISABLE_TELEMETRY`` is read at import time only (``disable_telemetry_events()``
afterwards does not stop the upload), so it is set here, before the app runs. A value the
user set is left alone.
"""

import os

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
