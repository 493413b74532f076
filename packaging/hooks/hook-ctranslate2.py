"""CTranslate2, Whisper's inference engine. Its extension ``ctranslate2/_ext`` links
libctranslate2 and libgomp from the wheel's ``ctranslate2.libs`` folder through its RPATH,
which PyInstaller's binary dependency analysis follows, so no library is listed here.
``ctranslate2.converters`` and ``ctranslate2.specs`` are imported on first use only and
bring torch and transformers: converting models is not something the app does.
"""

excludedimports = ["ctranslate2.converters", "ctranslate2.specs", "torch", "transformers"]
