"""The desktop app: windows and widgets only. Work happens in the core and speech
packages, called through ``app.ui.backend`` off the GUI thread."""
