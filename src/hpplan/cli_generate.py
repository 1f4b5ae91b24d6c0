"""`hpplan generate`: write a synthetic instance (docs/benchmarks.md), registered on `hpplan.cli.app`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from .cli import EXIT_INPUT, app, fail_input
from .errors import InputError
from .generate import SIZES, write_instance

SizeName = Enum("SizeName", {name.replace("-", "_"): name for name in SIZES}, type=str)


@app.command("generate")
def generate_command(
    size: SizeName = typer.Option(..., "--size", help="region (~100 organisations), regional-300 or national (~2 100)."),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed: the same size and seed give the same files."),
    out: Path = typer.Option(..., "--out", "-o", metavar="DIR",
                             help="Folder to write organisations.yaml and waves.yaml into."),
    force: bool = typer.Option(False, "--force", help="Overwrite organisations.yaml / waves.yaml already in --out."),
) -> None:
    """Write a synthetic rollout instance with the structure of the real data (seeded, reproducible)."""
    if str(out) == "-":  # elsewhere stdout; here it made a folder named -
        typer.echo("error: --out -: generate writes a folder (organisations.yaml and waves.yaml), not stdout; "
                   "give the folder's name", err=True)
        raise typer.Exit(EXIT_INPUT)
    if out.exists() and not out.is_dir():
        typer.echo(f"error: {out}: not a folder; --out takes the folder to write the instance into", err=True)
        raise typer.Exit(EXIT_INPUT)
    existing = [name for name in ("organisations.yaml", "waves.yaml") if (out / name).exists()]
    if existing and not force:
        typer.echo(f"error: {out}: already holds {' and '.join(existing)}; give --force to overwrite", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        org_path, waves_path = write_instance(out, size.value, seed)  # follows a link on --out (a data folder)
    except InputError as error:
        fail_input(error)
    except OSError as error:
        typer.echo(f"error: {out}: cannot write: {error.strerror or error}", err=True)
        raise typer.Exit(EXIT_INPUT)
    typer.echo(f"wrote {org_path} and {waves_path} (size {size.value}, seed {seed})")
