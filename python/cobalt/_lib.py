"""Finding and loading libcobalt.so, and the ctypes prototypes of its flat API
(include/cobalt/pyapi.h). Nothing here simulates: every function is the C library's.

Where the library is looked for, first found wins (docs/python.md, "Finding the library"):
1. the environment variable COBALT_LIB (the path of libcobalt.so);
2. beside this package (a copy placed there), then the library directory of a `cmake --install`
   prefix that installed this package (recorded in _install.py at install time);
3. the build tree of the source tree the package was installed from (`pip install ./python`
   records it in _source.py) or lives in (PYTHONPATH=python): COBALT_BUILD_DIR, else build/.
"""
import contextlib
import ctypes
import os
from pathlib import Path

LIB_NAME = "libcobalt.so"
ERR_MSG_MAX = 1024  # COB_ERR_MSG_MAX

# cob_status (include/cobalt/status.h), by number
STATUS = ("ok", "nomem", "config", "cuda", "no_device", "overflow", "invalid", "io", "stopped", "cancelled")
OK, NOMEM, CONFIG, CUDA, NO_DEVICE, OVERFLOW, INVALID, IO, STOPPED, CANCELLED = range(10)
BACKENDS = {"auto": 0, "cpu": 1, "cuda": 2}

PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_double,
                               ctypes.POINTER(ctypes.c_double), ctypes.c_int)
POINT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64)

_here = Path(__file__).resolve().parent


def source_dir():
    """The cobalt source tree this package came from, or None."""
    try:
        from . import _source  # written by python/setup.py when pip builds the package
        if _source.SOURCE_DIR and Path(_source.SOURCE_DIR, "CMakeLists.txt").is_file():
            return Path(_source.SOURCE_DIR)
    except ImportError:
        pass
    root = _here.parent.parent  # <src>/python/cobalt -> <src>
    if (root / "CMakeLists.txt").is_file() and (root / "include" / "cobalt").is_dir():
        return root
    return None


def _install_rel(name):
    """A folder recorded by `cmake --install` (python/_install.py.in), relative to this package."""
    try:
        from . import _install
    except ImportError:
        return None
    rel = getattr(_install, name, None)
    return (_here / rel).resolve() if rel else None


def candidates():
    """[(path, where it came from)] in the order they are tried."""
    out = []
    env = os.environ.get("COBALT_LIB")
    if env:
        return [(Path(env), "COBALT_LIB")]
    out.append((_here / LIB_NAME, "beside the package"))
    libdir = _install_rel("LIBDIR_REL")
    if libdir:
        out.append((libdir / LIB_NAME, "cmake --install prefix"))
    src = source_dir()
    build = os.environ.get("COBALT_BUILD_DIR")
    if build:
        out.append((Path(build) / LIB_NAME, "COBALT_BUILD_DIR"))
    if src:
        out.append((src / "build" / LIB_NAME, f"build tree of {src}"))
    return out


def tools_dir():
    """The folder of cobalt's plotting scripts (tools/ or <prefix>/share/cobalt/tools)."""
    env = os.environ.get("COBALT_TOOLS_DIR")
    if env:
        return Path(env)
    for d in (_install_rel("TOOLS_REL"), source_dir() and source_dir() / "tools"):
        if d and (d / "cobalt_plot_run.py").is_file():
            return d
    raise FileNotFoundError("cobalt's plotting tools (cobalt_plot_run.py) not found: set COBALT_TOOLS_DIR "
                            "to the tools/ folder of the source tree or <prefix>/share/cobalt/tools")


_lib = None


def lib():
    """The loaded library (loaded once), with its prototypes set."""
    global _lib
    if _lib is None:
        tried = []
        for path, why in candidates():
            if path.is_file():
                _lib = _prototypes(ctypes.CDLL(str(path)))
                _lib.cobalt_path = str(path)
                break
            tried.append(f"{path} ({why})")
        else:
            raise OSError("libcobalt.so not found; tried: " + "; ".join(tried) +
                          ". Build it (cmake --build build) or set COBALT_LIB to its path (docs/python.md)")
    return _lib


def _prototypes(L):
    c = ctypes
    src = [c.c_char_p, c.c_char_p, c.c_char_p, c.POINTER(c.c_char_p), c.c_int]
    msg = c.c_char_p  # a writable buffer made with create_string_buffer is passed
    L.cob_py_free.argtypes = [c.c_void_p]
    L.cob_py_free.restype = None
    L.cob_py_version.restype = c.c_char_p
    L.cob_py_commit.restype = c.c_char_p
    L.cob_py_config_check.argtypes = src + [c.POINTER(c.c_void_p), msg]
    L.cob_py_run.argtypes = src + [c.c_int, c.c_char_p, PROGRESS_FN, c.c_void_p, c.c_double, c.POINTER(c.c_int),
                                   c.POINTER(c.c_void_p), msg]
    L.cob_py_sweep_count.argtypes = src + [c.POINTER(c.c_int64), msg]
    L.cob_py_sweep_run.argtypes = src + [c.c_int, c.POINTER(c.c_int64), c.c_int64, c.c_char_p, c.c_char_p,
                                         c.c_char_p, PROGRESS_FN, POINT_FN, c.c_void_p, c.c_double,
                                         c.POINTER(c.c_int), msg]
    L.cob_py_theory_json.argtypes = src + [c.POINTER(c.c_double), c.c_int, c.c_char_p, c.c_double,
                                           c.POINTER(c.c_void_p), msg]
    L.cob_py_indegrees.argtypes = src + [c.c_int, c.POINTER(c.POINTER(c.c_int32)), c.POINTER(c.c_int64),
                                         c.POINTER(c.c_int), msg]
    for f in ("cob_py_config_check", "cob_py_run", "cob_py_sweep_count", "cob_py_sweep_run",
              "cob_py_theory_json", "cob_py_indegrees"):
        getattr(L, f).restype = c.c_int
    return L


def enc(s):
    """str/PathLike/None -> bytes/None for a char * argument."""
    if s is None:
        return None
    return os.fsencode(s)


def sets_array(sets):
    """A char ** of the overrides (kept alive by the returned tuple's first item)."""
    items = [enc(s) for s in sets]
    arr = (ctypes.c_char_p * max(len(items), 1))(*items)
    return arr, len(items)


def take_string(ptr):
    """The malloc'd C string at ptr (a c_void_p) as str, freed."""
    if not ptr.value:
        return None
    try:
        return ctypes.string_at(ptr.value).decode("utf-8", "replace")
    finally:
        lib().cob_py_free(ptr)


def hdf5_lock():
    """h5py's global lock when h5py uses the same libhdf5 as libcobalt.so (Debian's h5py and
    cobalt built against the system HDF5): serial HDF5 is not thread-safe, so a run (which
    writes its file) holds the lock, and h5py calls in other threads wait for it. With an
    h5py wheel (its own copy of HDF5) no lock is needed: a null context."""
    try:
        from h5py._objects import phil
    except ImportError:
        return contextlib.nullcontext()
    lib()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            libs = {line.split()[-1] for line in f if "libhdf5" in line and "_hl" not in line.split("/")[-1]}
    except OSError:
        libs = set()
    return phil if len(libs) == 1 or not libs else contextlib.nullcontext()
