"""How CPython lays out an object's attributes, for tests that keep long-lived objects small."""

#: Past this many attributes in its dictionary, CPython gives an object a dictionary of its own
#: (1.6 KiB) instead of its class's shared keys (docs/performance.md: memory per idle subscriber).
SHARED_KEYS_LIMIT = 29
