"""cobalt.load_config: checked by the C config checker; a refusal raises ConfigError carrying
the file, line, key, value and allowed range of the library's message."""
import pytest

import cobalt

BAD = """run: {dt_ms: 0.1, t_warmup_ms: 100, t_sim_ms: 200, seed: 1}
populations:
  - {name: E, model: lif_cond, size: 100}
  - name: I
    model: lif_cond
    size: -3
projections:
  - {pre: E, post: E, receptor: E, indegree: 10, weight: 2.5e-3, delay_ms: [0, 1]}
"""


def test_error_in_file_names_file_line_key_value_allowed(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    with pytest.raises(cobalt.ConfigError) as e:
        cobalt.load_config(path)
    err = e.value
    assert err.file == str(path)
    assert err.line == 6
    assert err.key == "populations[1].size"
    assert err.value == "-3"
    assert err.allowed and "1 .." in err.allowed
    assert err.status == "config" and str(err) == err.message
    assert err.message.startswith(f"{path}:6: populations[1].size: ")


def test_unknown_key_and_dict_source():
    d = {"run": {"dt_ms": 0.1, "t_sim_ms": 100, "sed": 3},
         "populations": [{"name": "E", "model": "lif_cond", "size": 10}]}
    with pytest.raises(cobalt.ConfigError) as e:
        cobalt.load_config(d)
    assert e.value.key == "run.sed" and e.value.line == 4 and e.value.file == "config.yaml"
    assert "t_sim_ms" in e.value.allowed


def test_error_in_override(quickstart):
    with pytest.raises(cobalt.ConfigError) as e:
        cobalt.load_config(quickstart, set={"run.dt_ms": -1})
    err = e.value
    assert err.file == "--set" and err.set == "run.dt_ms=-1" and err.key.startswith("run.dt_ms")
    assert err.value == "-1" and err.allowed


def test_missing_file_is_io(tmp_path):
    with pytest.raises(cobalt.CobaltError) as e:
        cobalt.load_config(tmp_path / "none.yaml")
    assert e.value.status == "io" and not isinstance(e.value, cobalt.ConfigError)


def test_good_config_text_records_overrides(quickstart):
    cfg = cobalt.load_config(quickstart, set={"run.seed": 4, "stats.raster.neurons": 10})
    assert cfg.sets == ["run.seed=4", "stats.raster.neurons=10"]
    assert cfg.text.rstrip().endswith("# --set run.seed=4\n# --set stats.raster.neurons=10")
    more = cfg.with_set(run__t_sim_ms=100)
    assert more.sets[-1] == "run.t_sim_ms=100" and more.text.rstrip().endswith("# --set run.t_sim_ms=100")
    assert cobalt.load_config(cfg.text).sets == []  # a YAML text (the overrides are comments in it)
