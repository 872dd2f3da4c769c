"""The ASGI entry point uvicorn imports (one app per worker process), configured from the environment."""

from server.app import create_app
from server.heap import settle_startup_heap
from server.settings import Settings

app = create_app(Settings.from_env())
settle_startup_heap()
