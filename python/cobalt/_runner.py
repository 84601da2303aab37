"""Running a library call in a worker thread: ctypes releases the GIL for the call, so other
Python threads keep running; the calling thread waits in short joins, shows the progress and,
on Ctrl-C (KeyboardInterrupt), sets the cancel flag the C run loop checks between chunks of
steps (cob_sim_options.cancel_request), waits for the run to end and re-raises. The result file
is written only after a whole run (temporary + rename), so a cancelled run leaves no file."""
import ctypes
import sys
import threading
import time

from . import _lib


def _in_notebook():
    return "ipykernel" in sys.modules


def want_progress(progress):
    """progress=None: on in a notebook or when stderr is a terminal."""
    if progress is None:
        return _in_notebook() or (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return bool(progress)


class Progress:
    """Progress of a run in simulated time: a tqdm bar when tqdm is there (tqdm.auto picks the
    notebook widget), else the CLI's progress line on stderr. Updated from the waiting thread
    only; the C callback just records the numbers."""

    def __init__(self, enabled, dt_ms=None, pop_names=(), label=""):
        self.enabled = enabled
        self.pop_names = [n for n in pop_names]
        self.label = label
        self.state = None  # (step, n_steps, wall_s, rates)
        self.bar = None
        self.dt_ms = dt_ms
        self._shown = None

    def callback(self, user, step, n_steps, wall_s, rates, n_pops):
        """Called by the C library in the worker thread (ctypes takes the GIL for it)."""
        self.state = (step, n_steps, wall_s, [rates[k] for k in range(n_pops)])

    def show(self):
        if not self.enabled or self.state is None or self.state == self._shown:
            return
        self._shown = self.state
        step, n_steps, wall_s, rates = self.state
        dt = self.dt_ms or 0.0
        pops = " ".join(f"{n} {r:.1f} Hz" for n, r in zip(self.pop_names, rates)) if self.pop_names else \
            " ".join(f"{r:.1f} Hz" for r in rates)
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            if self.bar is not None and (step < self.bar.n or n_steps != self.bar.total):
                self.bar.close()  # the next point of a sweep
                self.bar = None
            if self.bar is None:
                self.bar = tqdm(total=int(n_steps), desc=self.label or "cobalt", unit="step", leave=True)
            self.bar.n = int(step)
            self.bar.set_postfix_str(pops, refresh=False)
            self.bar.refresh()
            return
        sim_s, tot_s = step * dt * 1e-3, n_steps * dt * 1e-3
        rtf = wall_s / sim_s if sim_s > 0 else 0.0
        sys.stderr.write(f"\r[cobalt] {self.label + ' ' if self.label else ''}t {sim_s:.2f}/{tot_s:.2f} s | "
                         f"wall {wall_s:.1f} s | {rtf:.2f} s/s | ETA {rtf * (tot_s - sim_s):.0f} s | {pops}   ")
        if step == n_steps:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def close(self):
        self.show()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self._shown = None


def call(fn, args_before_cancel, args_after_cancel, progress=None, poll_s=0.1, on_poll=None):
    """fn(*args_before_cancel, cancel_flag, *args_after_cancel) in a worker thread; returns its
    return value. KeyboardInterrupt in the waiting thread cancels the run and is re-raised."""
    cancel = ctypes.c_int(0)
    box = {}
    lock = _lib.hdf5_lock()

    def work():
        try:
            with lock:  # the C call reads and writes HDF5 files
                box["rc"] = fn(*args_before_cancel, ctypes.byref(cancel), *args_after_cancel)
        except BaseException as e:  # noqa: BLE001 (handed to the waiting thread)
            box["exc"] = e

    t = threading.Thread(target=work, name="cobalt-run", daemon=True)
    t.start()
    interrupted = None
    while t.is_alive():
        try:
            t.join(poll_s)
            if on_poll:
                on_poll()
            if progress:
                progress.show()
        except KeyboardInterrupt as e:
            cancel.value = 1  # the C loop stops at the next chunk (a fraction of a second)
            interrupted = interrupted or e
    if progress:
        progress.close()
    if interrupted is not None:
        raise interrupted
    if "exc" in box:
        raise box["exc"]
    return box["rc"]


def wall_now():
    return time.monotonic()
