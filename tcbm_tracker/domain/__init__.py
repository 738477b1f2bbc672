"""Pure-Python rules of the tracker: vocabularies, keys, validation and errors (no SQL, no Qt)."""
