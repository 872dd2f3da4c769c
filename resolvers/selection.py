"""What the query asks below the field being resolved, read from its selection (fragments
included), so that a list can load for all its items at once only what they will show."""

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import SelectedField, Selection

from resolvers.context import AppInfo


def selected_names(info: AppInfo, *path: str) -> set[str]:
    """The names of the fields selected at `path` below the current field: `("edges", "node")`
    for a connection's nodes. Directives (`@skip`, `@include`) are not evaluated: a skipped
    field counts as asked."""
    level: list[Selection] = [
        child for field in _fields(info.selected_fields) for child in field.selections
    ]
    for name in path:
        level = [
            child for field in _fields(level) if field.name == name for child in field.selections
        ]
    return {field.name for field in _fields(level)}


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:  # a fragment, inline or named: its fields are the level's fields
            yield from _fields(selection.selections)
