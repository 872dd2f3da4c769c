"""The outside of the service: settings, the ASGI app, authentication, HTTP routes and the CLI."""
