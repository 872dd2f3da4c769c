"""The config that Tortoise's own CLI reads (`tortoise makemigrations`), from the same settings as the app."""

from models.database import tortoise_config
from server.settings import Settings

TORTOISE_ORM = tortoise_config(Settings.from_env().effective_database_url)
