"""The command lines of `certs`, read from its parser."""

import argparse


def command_parsers(
    parser: argparse.ArgumentParser, prefix: str = "certs"
) -> dict[str, argparse.ArgumentParser]:
    """Every command line down to the leaves (`certs token issue`, `certs migrate`…) and the
    parser of its arguments."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(command_parsers(sub, f"{prefix} {name}"))
    return found or {prefix: parser}
