"""The GraphQL multipart request (`operations`, `map`, files), checked whole before anything runs.

Strawberry's own placement answers a `map` naming a missing file with a plain-text 400, an index
past a list with a 500, and puts one upload object at every path that names it: the first
resolver to read it consumes it, and the others store an empty file. Here every malformed request
is refused with a 400 naming the problem (code MALFORMED_MULTIPART), and a file may be referenced
once only.
"""

import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException

from domain.enums import ErrorCode

MALFORMED_MULTIPART = ErrorCode.MALFORMED_MULTIPART.value


class CodedHTTPException(HTTPException):
    """An HTTP refusal with a stable code, answered as a JSON `errors` body."""

    def __init__(self, status_code: int, reason: str, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def malformed(message: str) -> CodedHTTPException:
    return CodedHTTPException(400, message, MALFORMED_MULTIPART)


def _json_field(form: Mapping[str, Any], name: str) -> Any:
    raw = form.get(name)
    if not isinstance(raw, str):
        raise malformed(f"Falta el campo «{name}» de la solicitud multipart.")
    try:
        return json.loads(raw)
    except ValueError:
        raise malformed(f"El campo «{name}» no es JSON válido.") from None


def place_files(form: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, Any]:
    """The operation of a multipart request with each file at the one path `map` gives it."""
    operations = _json_field(form, "operations")
    if not isinstance(operations, dict):
        raise malformed("El campo «operations» debe ser un objeto JSON con una sola operación.")
    files_map = _json_field(form, "map")
    if not isinstance(files_map, dict):
        raise malformed("El campo «map» debe ser un objeto JSON.")
    for key in files:
        if key not in files_map:
            raise malformed(f"El archivo «{key}» no aparece en el campo «map».")
    for key, paths in files_map.items():
        if key not in files:
            raise malformed(f"Falta el archivo «{key}» que nombra el campo «map».")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths) or not paths:
            raise malformed(f"El archivo «{key}» del campo «map» debe tener una lista de rutas.")
        if len(paths) > 1:
            raise malformed(f"El archivo «{key}» está referenciado más de una vez en «map».")
        _put(operations, paths[0], files[key])
    return operations


def _put(operations: dict[str, Any], path: str, file: Any) -> None:
    *parents, last = path.split(".")
    holder: Any = None
    slot: Any = None
    target: Any = operations
    for key in [*parents, last]:
        if isinstance(target, dict) and key in target:
            holder, slot = target, key
        elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
            holder, slot = target, int(key)
        else:
            raise malformed(f"La ruta «{path}» del campo «map» no existe en la operación.")
        target = holder[slot]
    if target is not None:
        raise malformed(f"La ruta «{path}» del campo «map» no es un lugar vacío para un archivo.")
    holder[slot] = file
