"""The `hpplan` command's entry point, outside the `hpplan` package.

Importing `hpplan` loads the solver stack (OR-Tools, HiGHS, pandas: about a second), and a Ctrl-C in
that second would end the command with a KeyboardInterrupt traceback, before any of hpplan's own
handling exists. Here the import is inside a handler: such a Ctrl-C ends the command as one while it
reads the data does (`hpplan.cli.main`): a message on stderr and exit code 130, nothing written.
"""

import sys

#: the exit code of a command stopped by Ctrl-C (as `hpplan.stopping.EXIT_INTERRUPTED`, not imported:
#: this module must not import hpplan before its handler is in place)
EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from hpplan.cli import main as run
    except (KeyboardInterrupt, ImportError) as error:
        # an extension module whose initialisation the Ctrl-C broke raises an ImportError from it
        if not isinstance(error, KeyboardInterrupt) and not isinstance(error.__cause__, KeyboardInterrupt):
            raise
        sys.stderr.write("hpplan: interrupted (Ctrl-C)\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    run()


if __name__ == "__main__":
    main()
