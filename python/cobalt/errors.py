"""Exceptions of the cobalt package. The messages are the C library's, unchanged (the text the
CLI prints after "cobalt: error: "); ConfigError also splits them into their parts."""
import re

from . import _lib


class CobaltError(Exception):
    """A cobalt library call failed. status: the cob_status name ("io", "nomem", "cuda",
    "no_device", "overflow", "invalid", ...); code: its number; message: the library's text."""

    def __init__(self, message, status="invalid", code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = _lib.STATUS.index(status) if code is None and status in _lib.STATUS else code


class ConfigError(CobaltError, ValueError):
    """A config was refused by the C config checker (cob_config_load / cob_config_check).

    Attributes, parsed from the message (None where it does not say):
      file     the config file (or the name a text config was given; "--set" for an override)
      line     line number in that file (int)
      key      the key path, e.g. "populations[0].size" (for an override: its dotted key)
      value    the value refused, as written
      allowed  what is allowed, e.g. "1 .. 2147483647"
      set      the override "key=value" when the error is in one
    """

    _LOC = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<rest>.*)$", re.S)
    _SET = re.compile(r"^--set (?P<set>[^:]+?): (?P<rest>.*)$", re.S)
    _KEY = re.compile(r"^(?P<key>[A-Za-z_][\w.\[\]-]*): (?P<rest>.*)$", re.S)
    _VALUE = re.compile(r'value "(?P<value>(?:[^"\\]|\\.)*)"')
    _ALLOWED = re.compile(r"\(allowed(?: for [^:]*)?: (?P<allowed>.*)\)\s*$", re.S)

    def __init__(self, message, status="config", code=None):
        super().__init__(message, status, code)
        self.file = self.line = self.key = self.value = self.allowed = self.set = None
        rest = message
        m = self._SET.match(message)
        if m:
            self.file, self.set, rest = "--set", m["set"], m["rest"]
            self.key = self.set.split("=", 1)[0]
        else:
            m = self._LOC.match(message)
            if m:
                self.file, self.line, rest = m["file"], int(m["line"]), m["rest"]
        m = self._KEY.match(rest)
        if m and m["key"] != "value":
            self.key, rest = m["key"], m["rest"]
        m = self._VALUE.search(rest)
        if m:
            self.value = m["value"]
        m = self._ALLOWED.search(rest)
        if m:
            self.allowed = m["allowed"]
        self.detail = rest


def raise_for(rc, message):
    """Raise the exception for a non-zero cob_status rc with the library's message."""
    status = _lib.STATUS[rc] if 0 <= rc < len(_lib.STATUS) else "invalid"
    if rc == _lib.CONFIG:
        raise ConfigError(message, status, rc)
    if rc == _lib.CANCELLED:
        raise KeyboardInterrupt(message)
    raise CobaltError(message, status, rc)
