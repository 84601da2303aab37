"""Theory curves for cobalt_plot.py: read them from a result file's `/theory` group, or, when
the file has none, compute them from the config stored in the file with tools/meanfield.py
(Siegert rate Eqs. 10-11 solved self-consistently with Eq. 19, CV Eq. 15, P(V) Eq. 17).

Pairs with cobalt_plot.py (the caller) and meanfield.py (the equations). Deliberate limits:
the fallback handles what meanfield.py handles -- one E/I network with identical E and I
neurons driven by one Poisson population X, with X synapses as strong as E->E synapses; any
other config gets no theory and a reason. It needs PyYAML and SciPy; without them the reason
says so. Heterogeneous in-degree (cv_indegree > 0) is ignored: the curves are those of the
homogeneous network.
"""
import re
import types

import numpy as np

LIF_MODELS = ("lif_cond", "lif_curr")
LIF_DEFAULTS = {"tau_m_ms": 20.0, "tau_ref_ms": 2.0, "v_th_mV": -55.0, "v_reset_mV": -65.0,
                "e_l_mV": -80.0, "e_e_mV": 0.0, "e_i_mV": -75.0, "mu_ext_mV": 0.0}
# numpy >= 2 renamed trapz (Debian bookworm ships numpy 1.24)
trapezoid = getattr(np, "trapezoid", None) or np.trapz
SET_LINE = re.compile(r"^# --set ([^=\s]+)=(.*)$")


class NoTheory(Exception):
    """The theory cannot be had for this file; the message says why (shown in titles)."""


def decode(value):
    """An HDF5 string attribute or dataset value (bytes or str) as str."""
    return value.decode() if isinstance(value, bytes) else str(value)


def from_group(root):
    """Theory stored in root['theory'] (written by cobalt for E/I/X configs: one state for all
    populations, docs/results.md; per-population subgroups are accepted too) as
    {population: dict(rate_hz, cv, mu_mV, sigma_mV, v_mV, p_v)}, or None if there is none.
    p_v is renormalised to unit area over its grid, so it is the density over the
    non-refractory samples like the simulated histogram; the grid must cover the support."""
    if "theory" not in root:
        return None
    th = root["theory"]
    if "v_mV" in th and not hasattr(th["v_mV"], "keys"):
        # one state for the whole network (identical E and I neurons, cobalt's layout)
        t = theory_entry(dict(th.attrs), th)
        return {name: dict(t) for name in root.get("populations", {})}
    out = {}
    for name, g in th.items():
        attrs = dict(th.attrs)
        attrs.update(g.attrs)
        out[name] = theory_entry(attrs, g)
    return out


def theory_entry(attrs, g):
    """One population's theory: the scalar attributes and the P(V) curve, renormalised."""
    t = {k: float(attrs[k]) for k in ("rate_hz", "cv", "mu_mV", "sigma_mV") if k in attrs}
    if "v_mV" in g and "p_v" in g:
        v, p = np.asarray(g["v_mV"][()], float), np.asarray(g["p_v"][()], float)
        area = trapezoid(p, v) if len(v) > 1 else 0.0
        if area > 0:
            t["v_mV"], t["p_v"] = v, p / area
    t["source"] = "theory: /theory group of the file"
    return t


def apply_overrides(tree, text):
    """Apply the `# --set key=value` lines that cobalt appends to the stored config text
    (docs/config.md, Overrides) to the parsed YAML tree, in order."""
    import yaml
    lines = text.rstrip("\n").split("\n")
    sets = []
    while lines and SET_LINE.match(lines[-1]):
        sets.insert(0, SET_LINE.match(lines.pop()).groups())
    for key, value in sets:
        node, parts = tree, key.split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                idx = next((j for j, item in enumerate(node)
                            if isinstance(item, dict) and item.get("name") == part), None)
                if idx is None:
                    idx = int(part)
                if last:
                    node[idx] = yaml.safe_load(value)
                else:
                    node = node[idx]
            else:
                if last:
                    node[part] = yaml.safe_load(value)
                else:
                    node = node.setdefault(part, {})
    return tree


def parse_config(text):
    """The config text of a result file as a YAML tree with its overrides applied."""
    try:
        import yaml
    except ImportError as e:
        raise NoTheory("no PyYAML to read the config") from e
    if not text.strip():
        raise NoTheory("no config in the file")
    try:
        return apply_overrides(yaml.safe_load(text), text)
    except (yaml.YAMLError, KeyError, ValueError, IndexError, TypeError) as e:
        raise NoTheory(f"config not readable ({e.__class__.__name__})") from e


def _inputs(projs, post):
    """{(pre, receptor): (indegree, weight)} of the projections onto post."""
    out = {}
    for p in projs:
        if p["post"] == post:
            key = (p["pre"], p["receptor"])
            if key in out:
                raise NoTheory(f"two projections {key[0]}->{post}")
            out[key] = (float(p["indegree"]), float(p["weight"]))
    return out


def network(tree):
    """meanfield.py parameters (a SimpleNamespace) and the names (E, I) of an E/I/X config;
    NoTheory when the config is not such a network."""
    pops = {p["name"]: p for p in tree.get("populations", [])}
    projs = tree.get("projections", []) or []
    poisson = [n for n, p in pops.items() if p["model"] == "poisson"]
    lif = [n for n, p in pops.items() if p["model"] in LIF_MODELS]
    e_names = [n for n in lif if any(p["post"] == n and p["pre"] in poisson for p in projs)]
    i_names = [n for n in lif if any(p["pre"] == n and p["receptor"] == "I" for p in projs)]
    if len(lif) != 2 or len(poisson) != 1 or not e_names or not i_names or e_names[0] == i_names[0]:
        raise NoTheory("not an E/I/X network")
    e, i, x = e_names[0], i_names[0], poisson[0]
    spec = {k: dict(LIF_DEFAULTS, **{kk: vv for kk, vv in pops[n].items() if kk in LIF_DEFAULTS})
            for k, n in (("E", e), ("I", i))}
    if pops[e]["model"] != pops[i]["model"] or spec["E"] != spec["I"]:
        raise NoTheory("E and I neurons differ")
    ins = _inputs(projs, e)
    if ins != _inputs(projs, i) or set(ins) != {(e, "E"), (i, "I"), (x, "E")}:
        raise NoTheory("E and I inputs differ or are not E, I, X")
    (k, w), (k_i, w_i), (k_x, w_x) = ins[(e, "E")], ins[(i, "I")], ins[(x, "E")]
    if w_x != w:
        raise NoTheory("X weight differs from E weight")
    s = spec["E"]
    cond = pops[e]["model"] == "lif_cond"
    p = types.SimpleNamespace(
        model="cond" if cond else "curr", K=k, a=w, J=w, g=w_i / w, gamma=k_i / k,
        nu_x=float(pops[x]["rate_hz"]) * k_x / k,  # meanfield.py assumes K_X = K
        tau=s["tau_m_ms"] * 1e-3, tau_rp=s["tau_ref_ms"] * 1e-3, theta=s["v_th_mV"],
        vr=s["v_reset_mV"], el=s["e_l_mV"] + (0.0 if cond else s["mu_ext_mV"]),
        ee=s["e_e_mV"], ei=s["e_i_mV"])
    return p, (e, i)


def pick_root(roots, near_hz):
    """The stable self-consistent rate nearest near_hz (any root if none is stable)."""
    if not roots:
        raise NoTheory("no self-consistent rate")
    stable = [r for r in roots if r[1]] or roots
    if near_hz is None or not np.isfinite(near_hz):
        return stable[0]
    return min(stable, key=lambda r: abs(r[0] - near_hz))


def from_config(text, near_hz=None):
    """Theory computed with meanfield.py for the config text: {population: dict(rate_hz, cv,
    mu_mV, sigma_mV, v_mV, p_v, source)}, the same entry for E and I. near_hz (the simulated
    E rate) chooses among several stable states. Raises NoTheory with the reason."""
    try:
        import meanfield
    except ImportError as e:
        raise NoTheory(f"meanfield.py unusable ({e})") from e
    p, names = network(parse_config(text))
    roots, moments = meanfield.solve(p)
    nu, stable = pick_root(roots, near_hz)
    tau, mu, sigma = moments(p.nu_x + nu, nu, p)
    v = np.linspace(min(p.vr, mu - 6 * sigma), p.theta, 400)
    dens = meanfield.voltage_density(v, nu, tau, mu, sigma, p)
    t = {"rate_hz": nu, "cv": float(meanfield.cv_isi(nu, tau, mu, sigma, p)), "mu_mV": mu,
         "sigma_mV": sigma, "v_mV": v, "p_v": dens / trapezoid(dens, v),
         "source": "theory: tools/meanfield.py on the stored config" + ("" if stable else " (unstable state)")}
    return {n: t for n in names}


def for_run(root, populations, compute=True):
    """Theory for the populations of a run group: (dict as from_group, note). note is "" or
    why there is no theory; populations maps name -> h5py group (for the simulated rate)."""
    stored = from_group(root)
    if stored is not None:
        return stored, ""
    if not compute:
        return {}, "theory not computed (--no-theory)"
    text = decode(root["config"][()]) if "config" in root else ""
    rates = [float(g.attrs["mean_rate_hz"]) for g in populations.values() if "mean_rate_hz" in g.attrs]
    try:
        return from_config(text, rates[0] if rates else None), ""
    except NoTheory as e:
        return {}, f"no theory: {e}"
