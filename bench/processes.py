"""Starting and stopping the processes a benchmark measures (gunicorn, the alert worker, a fake
provider), on loopback only. Each is stopped by its own pid, never by name."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(command, env, log_path, ready_url=None, ready_seconds=60):
    """Run `command` with `env` added to ours; wait until `ready_url` answers; stop it after."""
    log = open(log_path, "wb")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        if ready_url:
            _wait_for(ready_url, process, ready_seconds, log_path)
        yield process
    finally:
        stop(process)
        log.close()


def stop(process, grace=15):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for(url, process, seconds, log_path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} never came up; the process exited. Log: {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds}s. Log: {log_path}")


def gunicorn_command(port, workers):
    return [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "app:create_app()"]


def flask_command(*args):
    return [str(BIN / "flask"), "--app", "app", *args]
