"""The leadscore command line."""

import functools
import logging
import os
import signal
from collections.abc import Callable
from typing import Any

import click
import typer

from leadscore.errors import LeadscoreError

app = typer.Typer(
    name="leadscore",
    help=(
        "Score leads by who they are (fit) and what they did (engagement), with a scorecard "
        "you can read: grades, levels, stages (MQL, SQL) and a call list, explained point by point."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a LeadscoreError to stderr and exit with its status (2: bad scorecard or input)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LeadscoreError as exc:
            from rich.markup import escape

            from leadscore.cli._common import err, flag

            for line in exc.render(flag).splitlines():  # escaped: a message quotes data ('[/x]' is no markup)
                err.print(f"[red]error:[/red] {escape(line)}", markup=True, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see main): temporaries are gone by now
            from leadscore.cli._common import err

            err.print("[red]error:[/red] interrupted", markup=True)
            raise typer.Exit(130) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # the command line's own errors and exits
        except Exception as exc:  # a bug: one line that names it, no traceback (LEADSCORE_DEBUG=1 shows it)
            if os.environ.get("LEADSCORE_DEBUG"):
                raise
            from rich.markup import escape

            from leadscore.cli._common import err
            from leadscore.errors import redact

            err.print(
                f"[red]error:[/red] internal error: {escape(redact(f'{type(exc).__name__}: {exc}'))} "
                "(a bug: please report it; LEADSCORE_DEBUG=1 shows where it happened)",
                markup=True, soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # a SIGTERM (a job killed, a container stopped) interrupts like Ctrl-C does, so that the
    # temporaries of outputs are removed and the previous outputs stay as they were
    signal.signal(signal.SIGTERM, _interrupt)
    app(prog_name="leadscore")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


from leadscore.cli import backtest_commands, commands, dashboard_commands, learn_commands, service_commands  # noqa: E402 - registers the commands on app

__all__ = ["app", "backtest_commands", "commands", "dashboard_commands", "handle_errors", "learn_commands", "main", "service_commands"]
