"""References between the GraphQL domains.

Requests, certificates and companies name each other's types (a certificate's company, a
company's certificates, ...). A domain never imports another: it annotates the field with
`strawberry.lazy` (Strawberry's way for types that refer to each other) and builds the other's
type through `DomainType`, which imports it on first use. So no domain depends on another at
import time, and import-linter keeps them independent.
"""

import importlib
from typing import Any


class DomainType:
    """Another domain's Strawberry type, by module and name, resolved once on first use."""

    __slots__ = ("_type", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self._type: Any = None

    def from_row(self, row: Any) -> Any:
        return self.type.from_row(row)

    @property
    def type(self) -> Any:
        if self._type is None:
            self._type = getattr(importlib.import_module(self.module), self.name)
        return self._type
