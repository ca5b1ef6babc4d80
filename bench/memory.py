"""Peak resident memory of one piece of work, measured in a process of its own.

`python -m bench.memory MODULE:FUNCTION ARGS-JSON` imports the function, records the peak RSS
so far (the interpreter, Flask, SQLAlchemy: the baseline any process of ours pays), calls the
function, and prints one line of JSON with the baseline and the peak. A process of its own
means nothing the harness did before counts against it.

The peak is VmHWM, the high-water mark of this address space. Not `ru_maxrss`: Linux carries a
process's maximum over fork and exec, so a child of the (large) harness would start out at the
harness's own peak.
"""
import importlib
import json
import resource
import subprocess
import sys
import time

from bench.processes import ROOT


def _peak_mib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(target, args, env=None, timeout=600):
    """{"baseline_mib", "peak_mib", "seconds", "result"} for target(*args) run in a fresh process."""
    import os
    completed = subprocess.run([sys.executable, "-m", "bench.memory", target, json.dumps(args)], cwd=ROOT,
                               env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0:
        raise RuntimeError(f"{target} failed in its own process:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(target, args_json):
    module_name, _, function_name = target.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    prepare = getattr(importlib.import_module(module_name), f"{function_name}_prepare", None)
    state = prepare(*json.loads(args_json)) if prepare else None
    baseline = _peak_mib()
    started = time.perf_counter()
    result = function(state) if prepare else function(*json.loads(args_json))
    seconds = time.perf_counter() - started
    print(json.dumps({"baseline_mib": baseline, "peak_mib": _peak_mib(), "seconds": seconds, "result": result}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
