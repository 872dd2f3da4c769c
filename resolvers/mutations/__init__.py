"""One root mutation per module."""
