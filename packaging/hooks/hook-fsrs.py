"""fsrs's optional optimizer imports torch when it is installed; Parley only schedules,
so keep a developer's torch (gigabytes) out of the bundle."""

excludedimports = ["torch", "pandas"]
