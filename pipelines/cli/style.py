"""How the command speaks about its own arguments: help without type noise, a wrong argument in one line.

Typer's help shows each parameter's Python type (``<bool>``, ``<list[Path]>``, ``{paths}...``) and its usage
errors come in a box. Every parameter here declares a metavar (``DIR``, ``FILE``, ``N``; ``""`` for a flag), which
the help shows instead, and a wrong argument is one line on stderr with exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
import typer.core
from typer._click import exceptions as click_exceptions


def _plain(command: Any) -> None:
    """Arguments show their metavar only (no type column); --help shows no ``<bool>``."""
    for param in command.params:
        if isinstance(param, typer.core.TyperArgument) and param.metavar is not None:
            param.display_type_rich = lambda ctx: None  # the metavar names it already


def _help_without_type(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
    return option


def _usage_error_line(error: click_exceptions.UsageError) -> str:
    """``salesmetrics publish: 'yearly' is not one of 'weekly', 'monthly'. See salesmetrics publish --help.``"""
    message = error.format_message()
    param = getattr(error, "param", None)
    if (
        isinstance(error, click_exceptions.BadParameter)
        and not isinstance(error, click_exceptions.MissingParameter)  # click 8.4: "Missing argument 'FILE|DIR'"
        and isinstance(param, typer.core.TyperArgument)
    ):
        message = f"Invalid value for the {param.name}: {error.message}"  # not for 'weekly|monthly'
    message = message.replace("Value error, ", "").rstrip()
    where = error.ctx.command_path if error.ctx is not None else "salesmetrics"
    return f"{where}: {message}{'' if message.endswith('.') else '.'} See `{where} --help`."


class PlainCommand(typer.core.TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_without_type(super().get_help_option(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"] if any(isinstance(p, typer.core.TyperOption) for p in self.params) else []
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar or param.name.upper()
                pieces.append(name + ("…" if param.nargs != 1 else ""))
        return pieces


class PlainGroup(typer.core.TyperGroup):
    """The app: its commands are PlainCommands; a usage error anywhere is one line and exit status 2."""

    def get_help_option(self, ctx: Any) -> Any:
        return _help_without_type(super().get_help_option(ctx))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage_errors():
            return super().invoke(ctx)


@contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    """A usage error (a wrong argument, a missing one, an unknown command) as one line on stderr, exit status 2."""
    try:
        yield
    except click_exceptions.NoArgsIsHelpError:  # `salesmetrics` alone prints the help
        raise
    except click_exceptions.UsageError as error:
        print(_usage_error_line(error), file=sys.stderr)
        raise typer.Exit(error.exit_code) from None
