"""Running `python -m bot ...` as a separate process, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from bot.config import PROJECT_ROOT

TIMEOUT = 60.0  # seconds: a command that hangs is killed and the test fails on its exit code


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_URL"))}
    command = [sys.executable, "-m", "bot", *args]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**clean, **(env or {})},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Not `subprocess.run(timeout=...)`: its wait polls with time.sleep, which fails with EINVAL under
    # libfaketime (`make test-clock`). A timer that kills the process bounds it without polling.
    killer = threading.Timer(TIMEOUT, process.kill)
    killer.start()
    try:
        stdout, stderr = process.communicate(stdin)
    finally:
        killer.cancel()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
