"""Running the ``boundary-bot`` command as a real process, with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys

CLI = [sys.executable, "-m", "adapters.cli"]
CLEARED = ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY", "BOUNDARY_LOCAL_MODE", "SLACK_BOT_TOKEN",
           "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MicrosoftAppId", "PORT")


def run(args, cwd, timeout=60, **env):
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(env)
    return subprocess.run(CLI + args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)


def invoke(args, **env):
    """The same command in this process (much faster than a new interpreter): stdout,
    stderr and the exit code, with ``env`` set only while it runs."""
    from click.testing import CliRunner

    from adapters.cli import main

    cleared = {name: None for name in CLEARED}
    return CliRunner().invoke(main, args, env={**cleared, **env}, catch_exceptions=False)
