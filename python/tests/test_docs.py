"""docs/python.md's walk-through runs as written: its ```python blocks, in order, in one
namespace, from a folder that looks like the top of a source tree (configs/)."""
import os
import re

import matplotlib.pyplot as plt


def test_python_md_walkthrough_runs(src, tmp_path, monkeypatch, capsys):
    text = (src / "docs" / "python.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
    assert len(blocks) >= 10
    os.symlink(src / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__docs__"}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"docs/python.md block {i + 1}", "exec"), ns)
        except Exception as e:
            raise AssertionError(f"docs/python.md block {i + 1} failed: {e!r}\n{code}") from e
    out = capsys.readouterr().out
    assert "populations[0].size" in out or "indegree" in out  # the ConfigError block printed its parts
    for f in ("first.h5", "first_E.png", "k_sweep.h5", "k_sweep.csv", "k_sweep_K.png"):
        assert (tmp_path / f).is_file(), f
    plt.close("all")
