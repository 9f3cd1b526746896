"""Languages: Russian (default), Uzbek (Latin), English."""

LANGUAGES = ("ru", "uz", "en")
