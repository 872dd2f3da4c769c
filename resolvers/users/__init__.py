"""The caller: `viewer`."""
