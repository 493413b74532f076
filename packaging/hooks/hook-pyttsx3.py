"""pyttsx3 imports its driver by name at run time (``importlib.import_module``), so the
Linux driver and its ctypes binding are named here. libespeak-ng itself is a system library
(it needs its espeak-ng-data folder beside it) and is not bundled: install espeak-ng.
"""

hiddenimports = [
    "pyttsx3.drivers",
    "pyttsx3.drivers.espeak",
    "pyttsx3.drivers._espeak",
    "pyttsx3.drivers.dummy",
]
