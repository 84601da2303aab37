"""Configs: a YAML file, a YAML text or a dict, plus `set` overrides, checked by the C config
checker (cob_config_load through cob_py_config_check). The package keeps the source and the
overrides and hands them to the library on every call, as the CLI hands CONFIG and --set."""
import ctypes
import json
import os

from . import _lib
from .errors import raise_for


def _value_text(v):
    """A Python value as the YAML text of an override (the C side reads it as YAML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)  # JSON is YAML flow style
    return str(v)


def overrides(set=None):
    """`set` as a list of "key=value": a dict {dotted key: value} or an iterable of "key=value"."""
    if set is None:
        return []
    if isinstance(set, dict):
        return [f"{k}={_value_text(v)}" for k, v in set.items()]
    if isinstance(set, str):
        return [set]
    return [str(s) for s in set]


def _dict_text(d):
    """YAML text of a dict (block style, so errors name useful lines; JSON without PyYAML)."""
    try:
        import yaml
        return yaml.safe_dump(d, sort_keys=False, default_flow_style=False)
    except ImportError:
        return json.dumps(d, indent=1)


class Config:
    """A checked config: its source (path, or text with a name) and overrides (sets).

    text: the config as a run records it in its result file (the YAML followed by one
    "# --set key=value" line per override). Build with cobalt.load_config."""

    def __init__(self, path=None, source_text=None, name=None, sets=(), text=None):
        self.path = os.fspath(path) if path is not None else None
        self.source_text = source_text
        self.name = name
        self.sets = list(sets)
        self.text = text

    def args(self, extra=()):
        """(path, text, name, sets array, n_sets) for a cob_py_* call; the array stays alive in
        the tuple."""
        arr, n = _lib.sets_array(self.sets + list(extra))
        return (_lib.enc(self.path), None if self.path else self.source_text.encode(),
                _lib.enc(self.name), arr, n)

    def with_set(self, set=None, **kw):
        """A new Config with more overrides (a dict, a list of "key=value", or keywords with
        "__" for "." in the key: run__seed=3)."""
        more = overrides(set) + overrides({k.replace("__", "."): v for k, v in kw.items()})
        return load_config(self, set=more)

    def to_dict(self):
        """The YAML source as a dict (PyYAML), without the overrides."""
        import yaml
        if self.path:
            with open(self.path, encoding="utf-8") as f:
                return yaml.safe_load(f)
        return yaml.safe_load(self.source_text)

    def __repr__(self):
        src = self.path if self.path else f"<{self.name or 'config'}>"
        return f"Config({src!r}, sets={self.sets!r})"


def load_config(config, set=None):
    """Load and check a config with the C checker; returns a Config.

    config: a path (str or os.PathLike) to a YAML file, a dict (the YAML tree), a YAML text
    (a str holding a newline), or a Config (its overrides are kept; `set` adds more).
    set: overrides as for `cobalt run --set`: {"run.t_sim_ms": 500, "populations.E.size": 200}
    or ["run.seed=3"]. Raises cobalt.ConfigError (file, line, key, value, allowed) on a
    refusal, cobalt.CobaltError for an unreadable file."""
    sets = overrides(set)
    if isinstance(config, Config):
        cfg = Config(config.path, config.source_text, config.name, config.sets + sets)
    elif isinstance(config, dict):
        cfg = Config(None, _dict_text(config), "config.yaml", sets)
    elif isinstance(config, str) and "\n" in config:
        cfg = Config(None, config, "config.yaml", sets)
    else:
        cfg = Config(config, None, None, sets)
    L = _lib.lib()
    out = ctypes.c_void_p()
    msg = ctypes.create_string_buffer(_lib.ERR_MSG_MAX)
    rc = L.cob_py_config_check(*cfg.args(), ctypes.byref(out), msg)
    if rc != _lib.OK:
        raise_for(rc, msg.value.decode("utf-8", "replace"))
    cfg.text = _lib.take_string(out)
    return cfg


def config_from_text(text, name="config.yaml"):
    """The Config a result file's /config text describes: the YAML with its "# --set" lines
    turned back into overrides (they are comments in the text)."""
    sets = [line[len("# --set "):] for line in text.splitlines() if line.startswith("# --set ")]
    return Config(None, text, name, sets, text)
