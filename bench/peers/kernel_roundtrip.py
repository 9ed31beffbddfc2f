"""Drives one Jupyter kernel with jupyter_client and prints timings as JSON (used by bench/kernel.ts).

usage: kernel_roundtrip.py KERNEL_NAME CWD TRIVIAL_RUNS LIBRARY_RUNS TRIVIAL_CODE LIBRARY_CODE
Every kernel in the benchmark is driven by this same client. "{i}" in a code sample is replaced
by the run number, so that sample differs on every run (no cache can answer it).
"""
import json
import sys
import time

from jupyter_client.manager import KernelManager


def main():
    name, cwd, trivial_runs, library_runs, trivial_code, library_code = sys.argv[1:7]
    km = KernelManager(kernel_name=name)
    started = time.perf_counter()
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        # Queued by ZMQ until the kernel binds: the reply time is process start -> first reply.
        msg_id = kc.kernel_info()
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        start_s = time.perf_counter() - started
        kc.wait_for_ready(timeout=60)

        def run(code):
            t = time.perf_counter()
            mid = kc.execute(code, store_history=True)
            while True:
                msg = kc.get_shell_msg(timeout=120)
                if msg["parent_header"].get("msg_id") == mid:
                    break
            if msg["content"]["status"] != "ok":
                raise RuntimeError(f"{name}: {code!r} failed: {msg['content']}")
            while True:
                msg = kc.get_iopub_msg(timeout=120)
                if msg["parent_header"].get("msg_id") == mid and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            return time.perf_counter() - t

        library = [run(library_code.replace("{i}", str(i))) for i in range(int(library_runs))]
        trivial = [run(trivial_code) for _ in range(int(trivial_runs))]
        varying = [run(trivial_code.replace("1 + 1", f"{i} + 1")) for i in range(int(trivial_runs))]
        print(json.dumps({"start_s": start_s, "trivial_s": trivial, "varying_s": varying, "library_s": library}))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
