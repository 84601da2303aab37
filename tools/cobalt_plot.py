#!/usr/bin/env python3
"""Figures of a cobalt result file (`cobalt run`) or sweep file (`cobalt sweep`).

Run file: one figure per neuron population (rate histogram, CV histogram, P(V) against
mean-field theory, population rate over time), the spike raster and the voltage traces when
the file holds them. Sweep file: rate, CV and V statistics against K (with the weight law
a(K)), rate against nu_x, and every simulated column against every swept column, each
beside its theory. Prints the paths written, one per line. docs/plots.md describes each
figure.

Exit codes: 0 ok, 1 a Python package is missing, 2 bad arguments or a file that is missing
or not a cobalt file, 3 a figure or the file could not be written or read (a full disk: one
line naming the path and the OS error; the partial figure is removed).

  tools/cobalt_plot.py results/quickstart.h5
  tools/cobalt_plot.py sweep.h5 --out figures --points
"""
import argparse
import os
import sys

EXIT_MISSING_PACKAGE = 1
EXIT_BAD_INPUT = 2
EXIT_IO = 3


def fail(msg, code):
    """Print msg on stderr as `cobalt plot: error: ...` and exit with code."""
    print(f"cobalt plot: error: {msg}", file=sys.stderr)
    sys.exit(code)


def import_packages():
    """Import the required packages, or exit 1 naming what is missing and how to get it."""
    missing = []
    for name in ("numpy", "h5py", "matplotlib"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        fail(f"missing Python package(s): {', '.join(missing)} (pip install {' '.join(missing)}; "
             f"Debian/Ubuntu: apt install {' '.join('python3-' + m for m in missing)})", EXIT_MISSING_PACKAGE)
    import matplotlib
    matplotlib.use("Agg")  # files only; the Python package (python/cobalt) keeps the user's backend


def window_ms(text):
    """--window-ms: a finite number >= 0 (argparse turns the ValueError into exit 2)."""
    v = float(text)
    if not (0.0 <= v < float("inf")):
        raise argparse.ArgumentTypeError(f"'{text}': allowed: a number >= 0 (0: the whole run)")
    return v


def parse_args(argv):
    """Command-line arguments (argparse exits 2 on bad ones)."""
    ap = argparse.ArgumentParser(prog="cobalt plot", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", help="result file (cobalt run) or sweep file (cobalt sweep)")
    ap.add_argument("--out", metavar="DIR",
                    help="folder for the figures (created; default: the folder of FILE)")
    ap.add_argument("--format", default="png", choices=("png", "pdf", "svg"), help="figure format (png)")
    ap.add_argument("--window-ms", type=window_ms, default=1000.0,
                    help="length of the raster and trace window after the warm-up, ms (0: all; 1000)")
    ap.add_argument("--no-theory", action="store_true",
                    help="do not compute theory curves when the file has no /theory group")
    ap.add_argument("--points", action="store_true",
                    help="sweep files: also the run figures of every point (into DIR/<stem>_points)")
    return ap.parse_args(argv)


def open_file(path):
    """The HDF5 file at path opened read-only and its kind ('run', 'sweep' or 'rate'); exits 2 when it
    is missing, not HDF5, or not a cobalt file."""
    import h5py
    if not os.path.exists(path):
        fail(f"'{path}': no such file", EXIT_BAD_INPUT)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"'{path}': not an HDF5 file ({e})", EXIT_BAD_INPUT)
    if "summary" in f and "n_points" in f.attrs:
        return f, "sweep"
    if f.attrs.get("kind") in ("rate", b"rate") and "epochs" in f:
        return f, "rate"
    if "populations" in f and "dt_ms" in f.attrs:
        return f, "run"
    f.close()
    fail(f"'{path}': not a cobalt result or sweep file (no /populations with root attribute dt_ms, "
         f"no /summary with n_points; docs/results.md)", EXIT_BAD_INPUT)


def sweep_points(f, out_dir, stem, args):
    """Run figures of each /points/<i> group into out_dir/<stem>_points."""
    import cobalt_plot_run
    if "points" not in f:
        return []
    sub = os.path.join(out_dir, f"{stem}_points")
    os.makedirs(sub, exist_ok=True)
    paths = []
    for key in sorted(f["points"], key=lambda k: int(k) if k.isdigit() else k):
        paths += cobalt_plot_run.plot_run(f["points"][key], sub, f"{stem}_point{key}", args.format,
                                          args.window_ms, not args.no_theory)
    return paths


def main(argv=None):
    """Entry point: returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    import_packages()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cobalt_plot_run
    import cobalt_plot_sweep
    f, kind = open_file(args.file)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.file))
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        fail(f"cannot create output folder '{out_dir}': {e.strerror}", EXIT_BAD_INPUT)
    stem = os.path.splitext(os.path.basename(args.file))[0]
    with f:
        try:
            if kind == "run":
                paths = cobalt_plot_run.plot_run(f, out_dir, stem, args.format, args.window_ms, not args.no_theory)
            elif kind == "rate":
                import cobalt_plot_rate
                paths = cobalt_plot_rate.plot_rate(f, out_dir, stem, args.format)
            else:
                paths = cobalt_plot_sweep.plot_sweep(f, out_dir, stem, args.format)
                if args.points:
                    paths += sweep_points(f, out_dir, stem, args)
        except (KeyError, ValueError) as e:
            fail(f"'{args.file}': unexpected layout ({e}); see docs/results.md", EXIT_BAD_INPUT)
        except cobalt_plot_run.FigureWriteError as e:
            fail(f"'{e.filename}': cannot write the figure: {e.strerror}", EXIT_IO)
        except OSError as e:
            fail(f"'{args.file}': cannot read it: {e.strerror or e}", EXIT_IO)
    try:
        for p in paths:
            print(p)
        sys.stdout.flush()
    except OSError as e:
        fail(f"cannot print the figures' paths: {e.strerror or e}", EXIT_IO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
