#!/usr/bin/env python3
"""Mean-field predictions for an E/I network with an external Poisson pool, as in
Sanzeni, Histed & Brunel (seed 004): Eq. 5 (conductance-based, effective-time-constant
approximation) or Eq. 8 (current-based), the Siegert rate Eq. 10-11, the CV Eq. 15, and the
self-consistency Eq. 19 (r_E = nu_X + nu, r_I = nu, identical E and I populations).

This is the interim checking tool behind docs/validation.md; the C theory library of the
theory issue supersedes it. Usage:
  tools/meanfield.py cond --K 1000 --a 1.6e-3 --g 20 --gamma 0.25 --nu-x 25
  tools/meanfield.py curr --K 1000 --J 0.1 --g 5 --gamma 0.25 --nu-x 20 --theta 20 --vr 10 --el 0
"""
import argparse

import numpy as np
from scipy import integrate, optimize, special


def moments_cond(rE, rI, p):
    tau = 1.0 / (1.0 / p.tau + p.a * p.K * (rE + rI * p.g * p.gamma))
    mu = tau * (p.el / p.tau + p.a * p.K * (rE * p.ee + rI * p.g * p.gamma * p.ei))
    var = p.a ** 2 * p.K * tau * (rE * (mu - p.ee) ** 2 + p.g ** 2 * p.gamma * rI * (mu - p.ei) ** 2)
    return tau, mu, np.sqrt(var)


def moments_curr(rE, rI, p):
    tau = p.tau
    mu = p.el + tau * p.J * p.K * (rE - p.g * p.gamma * rI)
    var = tau * p.J ** 2 * p.K * (rE + p.g ** 2 * p.gamma * rI)
    return tau, mu, np.sqrt(var)


def siegert(tau, mu, sigma, p):
    lo, hi = (p.vr - mu) / sigma, (p.theta - mu) / sigma
    # e^{x^2}(1 + erf x) = erfcx(-x): no overflow for large x
    val, _ = integrate.quad(lambda x: special.erfcx(-x), lo, hi, limit=200)
    return 1.0 / (p.tau_rp + tau * np.sqrt(np.pi) * val)


def cv_isi(nu, tau, mu, sigma, p):
    """Eq. 15: CV^2 = 2 pi nu^2 tau^2 int_lo^hi dx e^{x^2} int_-inf^x dy e^{y^2} (1 + erf y)^2,
    with e^{y^2}(1 + erf y)^2 = erfcx(-y)^2 e^{-y^2} (finite for every y)."""
    lo, hi = (p.vr - mu) / sigma, (p.theta - mu) / sigma

    def inner(x):
        v, _ = integrate.quad(lambda y: special.erfcx(-y) ** 2 * np.exp(-y * y), -np.inf, x, limit=200)
        return v

    val, _ = integrate.quad(lambda x: np.exp(x * x) * inner(x), lo, hi, limit=100)
    return np.sqrt(2 * np.pi * nu ** 2 * tau ** 2 * val)


def voltage_density(V, nu, tau, mu, sigma, p):
    """Stationary P(V) of Eq. 17 (free diffusion with reset) at the voltages V (mV), per mV,
    without the refractory mass at V_r (a fraction nu tau_rp of the time): it integrates to
    1 - nu tau_rp over (-inf, theta]; zero above theta."""
    vmax = (p.theta - mu) / sigma
    vr = (p.vr - mu) / sigma
    dens = []
    for v in np.atleast_1d(V):
        y = (v - mu) / sigma
        a = max(y, vr)
        if a >= vmax:
            dens.append(0.0)
            continue
        # int_a^vmax e^{x^2 - y^2} dx, written stably as a Dawson-like quadrature
        val, _ = integrate.quad(lambda x: np.exp((x - y) * (x + y)), a, vmax, limit=200)
        dens.append(2 * nu * tau / sigma * val)
    return np.array(dens)


def voltage_moments(nu, tau, mu, sigma, p):
    """Mean and s.d. of the stationary P(V) of Eq. 17 (free diffusion with reset; the
    refractory mass at V_r, a fraction nu tau_rp of the time, excluded as in cobalt's
    non-refractory voltage samples)."""
    lo = min(p.vr, mu - 8 * sigma)
    V = np.linspace(lo, p.theta, 2000)
    dens = voltage_density(V, nu, tau, mu, sigma, p)
    w = dens / integrate.trapezoid(dens, V)
    m = integrate.trapezoid(w * V, V)
    return m, np.sqrt(integrate.trapezoid(w * (V - m) ** 2, V))


def solve(p):
    moments = moments_cond if p.model == "cond" else moments_curr

    def phi(nu):
        return siegert(*moments(p.nu_x + nu, nu, p), p)

    grid = np.concatenate([np.linspace(1e-4, 5, 200), np.linspace(5, 0.999 / p.tau_rp, 400)])
    f = np.array([phi(n) - n for n in grid])
    roots = []
    for i in range(len(grid) - 1):
        if np.sign(f[i]) != np.sign(f[i + 1]):
            r = optimize.brentq(lambda n: phi(n) - n, grid[i], grid[i + 1])
            d = (phi(r * 1.001 + 1e-9) - phi(r * 0.999 - 1e-9)) / (r * 0.002 + 2e-9)
            roots.append((r, d < 1.0))
    return roots, moments


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=["cond", "curr"])
    ap.add_argument("--K", type=float, default=1000)
    ap.add_argument("--a", type=float, default=1.6e-3)
    ap.add_argument("--J", type=float, default=0.1)
    ap.add_argument("--g", type=float, default=20)
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--nu-x", dest="nu_x", type=float, default=25.0)
    ap.add_argument("--tau", type=float, default=20e-3)
    ap.add_argument("--tau-rp", dest="tau_rp", type=float, default=2e-3)
    ap.add_argument("--theta", type=float, default=-55.0)
    ap.add_argument("--vr", type=float, default=-65.0)
    ap.add_argument("--el", type=float, default=-80.0)
    ap.add_argument("--ee", type=float, default=0.0)
    ap.add_argument("--ei", type=float, default=-75.0)
    p = ap.parse_args()
    roots, moments = solve(p)
    if not roots:
        print("no self-consistent rate in (0, 1/tau_rp)")
    for r, stable in roots:
        tau, mu, sigma = moments(p.nu_x + r, r, p)
        cv = cv_isi(r, tau, mu, sigma, p)
        vm, vs = voltage_moments(r, tau, mu, sigma, p)
        print(f"nu = {r:.4g} Hz ({'stable' if stable else 'unstable'}), tau_eff = {tau * 1e3:.4g} ms, "
              f"mu = {mu:.4g} mV, sigma = {sigma:.4g} mV (sd of V ~ sigma/sqrt(2) = {sigma / np.sqrt(2):.3g}), "
              f"CV = {cv:.3g}, 1 - tau_rp nu = {1 - p.tau_rp * r:.3g}, "
              f"P(V) of Eq. 17: mean {vm:.4g} mV, s.d. {vs:.3g} mV")


if __name__ == "__main__":
    main()
