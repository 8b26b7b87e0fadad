"""Real-GPU check of Canopy's energy meter (issue 4); run by gpu-energy-check.sh on a machine with an NVIDIA GPU.

A child process loads CUDA device 0 with PyTorch matrix products. This script reads NVML's total-energy counter
itself through ctypes (the independent reference) and drives dev.canopy.runner.energy.GpuEnergyCheck, whose two
meters (the runner's meter as is, and the same meter forced to integrate power) meter the same intervals. Each
reference reading is bracketed: read just before the command is sent and just after its answer arrives.
"""
import ctypes
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time

NVML = os.environ.get("NVML_LIBRARY", "/usr/local/nvidia/lib64/libnvidia-ml.so.1")


class Nvml:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.check(self.lib.nvmlInit_v2(), "nvmlInit_v2")
        self.handle = ctypes.c_void_p()
        self.check(self.lib.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(self.handle)), "handle")

    def check(self, rc, what):
        if rc != 0:
            self.lib.nvmlErrorString.restype = ctypes.c_char_p
            raise RuntimeError(f"{what}: NVML {rc} {self.lib.nvmlErrorString(rc).decode()}")

    def energy_mj(self):
        value = ctypes.c_ulonglong()
        self.check(self.lib.nvmlDeviceGetTotalEnergyConsumption(self.handle, ctypes.byref(value)), "energy")
        return value.value

    def power_w(self):
        value = ctypes.c_uint()
        self.check(self.lib.nvmlDeviceGetPowerUsage(self.handle, ctypes.byref(value)), "power")
        return value.value / 1000.0

    def text(self, function, *args):
        buf = ctypes.create_string_buffer(96)
        self.check(getattr(self.lib, function)(*args, buf, 96), function)
        return buf.value.decode()


def load(mode, ready):
    """Keeps the GPU busy while mode is 1 (steady) or on a 0.7 s on / 0.6 s off duty cycle while it is 2."""
    import torch

    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    for _ in range(5):
        a @ b
    torch.cuda.synchronize()
    ready.set()
    start = time.time()
    while mode.value != 0:
        busy = mode.value == 1 or ((time.time() - start) % 1.3) < 0.7
        if busy:
            for _ in range(4):
                a @ b
            torch.cuda.synchronize()
        else:
            time.sleep(0.01)


def counter_mj(nvml):
    try:
        return nvml.energy_mj()
    except RuntimeError as e:
        print("# reference counter unreadable:", e, flush=True)
        return None


def main():
    java, classpath, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    nvml = Nvml(NVML)
    facts = {
        "gpu": nvml.text("nvmlDeviceGetName", nvml.handle),
        "driver": nvml.text("nvmlSystemGetDriverVersion"),
        "nvml": nvml.text("nvmlSystemGetNVMLVersion"),
    }
    print("#", facts, flush=True)
    ctx = mp.get_context("spawn")  # CUDA must not be initialised in a forked child
    mode = ctx.Value("i", 1)
    ready = ctx.Event()
    worker = ctx.Process(target=load, args=(mode, ready), daemon=True)
    worker.start()
    try:
        measure(nvml, facts, mode, ready, worker, java, classpath, out_dir)
    finally:
        mode.value = 0
        worker.join(30)
        if worker.is_alive():
            worker.kill()


def measure(nvml, facts, mode, ready, worker, java, classpath, out_dir):
    if not ready.wait(120):
        raise RuntimeError("the load process did not start")
    time.sleep(3)  # let power settle at the steady load
    check = subprocess.Popen(
        [java, "-cp", classpath, "dev.canopy.runner.energy.GpuEnergyCheck"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def expect(prefix):
        while True:
            line = check.stdout.readline()
            if not line:
                raise RuntimeError(f"the check exited before '{prefix}'")
            line = line.rstrip("\n")
            print(line, flush=True)
            if line.startswith(prefix):
                return line
            if line == "failed":
                raise RuntimeError("the check failed")

    def send(command):
        check.stdin.write(command + "\n")
        check.stdin.flush()

    expect("ready")
    phases = [("steady", 1, 15.0), ("duty-cycle", 2, 13.0), ("idle", 0, 8.0)]
    results = []
    for label, load_mode, seconds in phases:
        if load_mode == 0 and mode.value != 0:
            mode.value = 0
            worker.join(30)
            time.sleep(2)
        else:
            mode.value = load_mode
        samples = []
        before = counter_mj(nvml)
        send("begin " + label)
        expect("begun " + label)
        after = counter_mj(nvml)
        begun = time.monotonic()
        deadline = begun + seconds
        while time.monotonic() < deadline:
            samples.append((time.monotonic(), nvml.power_w()))
            time.sleep(0.05)
        before_end = counter_mj(nvml)
        send("end " + label)
        expect("ended " + label)
        after_end = counter_mj(nvml)
        ended = time.monotonic()
        # The script's own power samples, trapezoids, held flat to the begin and end: a rough second reference.
        points = [(begun, samples[0][1])] + samples + [(ended, samples[-1][1])]
        sampled_j = sum((t1 - t0) * (w0 + w1) / 2 for (t0, w0), (t1, w1) in zip(points, points[1:]))
        phase = {"phase": label, "sampled_j": sampled_j,
                 "mean_sampled_w": sum(w for _, w in samples) / len(samples)}
        if None in (before, after, before_end, after_end):
            phase["reference_j"] = None
            reference_j = sampled_j
        else:
            reference_j = ((before_end + after_end) - (before + after)) / 2000.0
            phase["reference_j"] = reference_j
            phase["reference_bracket_j"] = ((after - before) + (after_end - before_end)) / 2000.0
        for _ in range(2):
            words = expect("result " + label).split(" ", 6)
            meter = words[2]
            joules = float(words[4])
            phase[meter] = {"method": words[3], "joules": joules, "seconds": float(words[5]),
                            "detail": words[6] if len(words) > 6 else "",
                            "error_pct": 100.0 * (joules - reference_j) / reference_j}
        results.append(phase)
    send("quit")
    check.wait(30)

    print()
    print(f"GPU {facts['gpu']}, driver {facts['driver']}, NVML {facts['nvml']}")
    print("| phase | mean power | reference: NVML counter read by the script | meter: counter | error | "
          "meter: power integral | error | script's 50 ms power samples |")
    print("|---|---|---|---|---|---|---|---|")
    for p in results:
        c, i = p["counter"], p["integral"]
        reference = ("unreadable (errors against the script's samples)" if p["reference_j"] is None
                     else f"{p['reference_j']:.1f} J (bracket {p['reference_bracket_j']:.2f} J)")
        print(f"| {p['phase']} ({c['seconds']:.1f} s) | {p['mean_sampled_w']:.1f} W | {reference} | "
              f"{c['joules']:.1f} J ({c['method']}) | {c['error_pct']:+.3f} % | "
              f"{i['joules']:.1f} J ({i['method']}) | {i['error_pct']:+.3f} % | {p['sampled_j']:.1f} J |")
    with open(os.path.join(out_dir, "gpu-energy-check.json"), "w") as f:
        json.dump({"facts": facts, "phases": results}, f, indent=2)


if __name__ == "__main__":
    main()
