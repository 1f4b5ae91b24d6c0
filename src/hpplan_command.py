"""The `hpplan` command's entry point, outside the `hpplan` package.

Importing `hpplan` loads the solver stack (OR-Tools, HiGHS, pandas: about a second), and a Ctrl-C in
that second would end the command with a KeyboardInterrupt traceback, before any of hpplan's own
handling exists. Here the import is inside a handler: such a Ctrl-C ends the command as one while it
reads the data does (`hpplan.cli.main`): a message on stderr and exit code 130, nothing written. A
SIGTERM then is said the same way (exit 143), where the system's default would end it without a word.
"""

import signal
import sys

#: the exit code of a command stopped by Ctrl-C (as `hpplan.stopping.EXIT_INTERRUPTED`, not imported:
#: this module must not import hpplan before its handler is in place)
EXIT_INTERRUPTED = 130
#: the exit code of an internal error (as `hpplan.cli.EXIT_BUG`): hpplan or a library it needs cannot be
#: loaded; not 1, which `check` gives for violations and `solve` for an infeasible plan
EXIT_BUG = 70
#: the exit code of a command ended by SIGTERM (as `hpplan.stopping.EXIT_TERMINATED`)
EXIT_TERMINATED = 128 + signal.SIGTERM


class _Terminated(KeyboardInterrupt):
    """A SIGTERM while hpplan loads (`hpplan.cli.main` takes it over once loaded)."""


def _terminate(signum, frame) -> None:
    raise _Terminated


def main() -> None:
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:  # (one ignored at the start stays ignored)
        signal.signal(signal.SIGTERM, _terminate)
    try:
        from hpplan.cli import main as run
    except (KeyboardInterrupt, Exception) as error:
        # an extension module whose initialisation the Ctrl-C broke raises an ImportError from it
        if isinstance(error, _Terminated) or isinstance(error.__cause__, _Terminated):
            sys.stderr.write("hpplan: terminated (SIGTERM)\n")
            raise SystemExit(EXIT_TERMINATED) from None
        if isinstance(error, KeyboardInterrupt) or isinstance(error.__cause__, KeyboardInterrupt):
            sys.stderr.write("hpplan: interrupted (Ctrl-C)\n")
            raise SystemExit(EXIT_INTERRUPTED) from None
        import traceback

        traceback.print_exc()
        sys.stderr.write(f"hpplan: internal error: hpplan could not be loaded ({type(error).__name__}: {error}); "
                         "its installation is broken: install it again (make run, or pip install .)\n")
        raise SystemExit(EXIT_BUG) from None
    run()


if __name__ == "__main__":
    main()
