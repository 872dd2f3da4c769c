"""The ASGI entry point uvicorn imports (one app per worker process), configured from the environment."""

from server.app import create_app
from server.heap import settle_startup_heap, share_decimal_context
from server.settings import Settings

app = create_app(Settings.from_env())
share_decimal_context()
settle_startup_heap()
