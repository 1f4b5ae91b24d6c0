"""Imports the modules that add commands to `hpplan.cli.app` (each `cli_<name>.py` registers its own)."""

import importlib

COMMAND_MODULES: list[str] = ["cli_check", "cli_compare", "cli_report", "cli_generate", "cli_sweep"]

for _name in COMMAND_MODULES:
    importlib.import_module(f"hpplan.{_name}")
