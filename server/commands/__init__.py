"""The commands of `certs`, one module a group, each imported only when one of its commands runs
(server.cli names them by module and function): `certs token issue` then starts without importing
the GraphQL schema, the web app or uvicorn, which only `serve`, `export-schema` and
`documents add` need. Each command is a `Command`: the settings and the parsed arguments in, the
exit status out."""

import argparse
from collections.abc import Callable

from server.settings import Settings

Command = Callable[[Settings, argparse.Namespace], int]
