"""The ``llmprof`` command line.

:func:`main` is the one place that turns outcomes into exit codes: 0 success, 1 a budget or
gate failed, 2 a usage, input, configuration or write error, 130 interrupted by Ctrl-C (143 by
SIGTERM), 70 a bug in llmprof. It imports the commands only once running, so even Ctrl-C during
start-up gets a clean exit, and ``llmprof --help`` stays fast (heavy modules load inside the
commands that need them). ``LLMPROF_DEBUG=1`` adds the traceback, with secrets redacted, and keeps
the exit code.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    from llmprof import signals
    from llmprof.signals import Terminated

    signals.install()
    try:
        from llmprof.cli.app import run
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        sys.exit(130)
    except Terminated:
        sys.stderr.write("error: terminated (SIGTERM)\n")
        sys.exit(143)
    sys.exit(run())
