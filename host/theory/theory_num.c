/* host/theory/theory_num.c -- numerics of the mean-field library: erfcx (the scaled complementary
 * error function, not in C's libm), adaptive Gauss-Kronrod quadrature with breakpoints for the
 * exponentially peaked Siegert-type integrands, Brent's method, Gauss-Hermite nodes. Pairs with
 * host/theory/theory_num.h; tested in tests/test_theory.c. Deliberate limits: double precision only;
 * erfcx(x) for x < -26.6 is +inf (the value exceeds DBL_MAX), so every caller that can meet
 * such arguments works with scaled integrands instead (cob__siegert_scaled). */
#include <math.h>
#include <stdlib.h>
#include "theory/theory_num.h"

#define GK_MAX_PIECES 256
#define GK_BUDGET 20000 /* Gauss-Kronrod panels per cob__quad call: bounds work on NaN input */
#define GK_MAX_DEPTH 48

double cob__exp_sq(double x)
{
    double h = x * x, l = fma(x, x, -h);
    return exp(h) * (1.0 + l);
}

/* Continued fraction erfcx(x) = 1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), x >= 2,
 * evaluated backwards; 60 terms give full precision at x = 2, 16 at x >= 5. */
static double erfcx_cf(double x)
{
    int k, n = x < 3.0 ? 60 : x < 5.0 ? 30 : 16;
    double t = x;
    for (k = n; k > 0; --k) t = x + 0.5 * k / t;
    return 1.0 / (COB__SQRT_PI * t);
}

double cob_erfcx(double x)
{
    if (isnan(x))
        return x;
    if (x < 0.0) {
        if (x < -26.6)
            return HUGE_VAL;
        return 2.0 * cob__exp_sq(x) - cob_erfcx(-x);
    }
    if (x < 2.0)
        return cob__exp_sq(x) * erfc(x);
    return erfcx_cf(x);
}

double cob__cut_below(double lo, double m, double cut)
{
    double c = m * m > cut ? sqrt(m * m - cut) : -HUGE_VAL;
    return c > lo ? c : lo;
}

double cob__phi_cdf(double z)
{
    return 0.5 * erfc(-z / 1.41421356237309504880);
}

/* ---- adaptive Gauss-Kronrod 7-15 -------------------------------------------------------- */

static const double XGK[8] = {0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                              0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                              0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                              0.207784955007898467600689403773245, 0.0};
static const double WGK[8] = {0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                              0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                              0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                              0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double WG[4] = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                             0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

static double gk15(cob__fn f, void *ctx, double a, double b, double *err)
{
    double c = 0.5 * (a + b), h = 0.5 * (b - a), fc = f(c, ctx);
    double k = WGK[7] * fc, g = WG[3] * fc;
    int j;
    for (j = 0; j < 7; ++j) {
        double s = f(c - h * XGK[j], ctx) + f(c + h * XGK[j], ctx);
        k += WGK[j] * s;
        if (j % 2 == 1)
            g += WG[j / 2] * s;
    }
    *err = fabs((k - g) * h);
    return k * h;
}

typedef struct {
    cob__fn f;
    void *ctx;
    double rel;
    int budget;
} gk_run;

static double adapt(gk_run *r, double a, double b, double tol_abs, int depth)
{
    double err, val = gk15(r->f, r->ctx, a, b, &err), m = 0.5 * (a + b);
    --r->budget;
    if (err <= r->rel * fabs(val) || err <= tol_abs || depth >= GK_MAX_DEPTH || r->budget <= 0 || m <= a || m >= b)
        return val;
    return adapt(r, a, m, 0.5 * tol_abs, depth + 1) + adapt(r, m, b, 0.5 * tol_abs, depth + 1);
}

static void add_break(double *p, int *n, double x)
{
    if (*n < GK_MAX_PIECES)
        p[(*n)++] = x;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Breakpoints of [a, b] (sorted, first a, last b): 0; -1, -2, -4, ... (integrands that decay
 * like 1/|x| or e^{-x^2} towards -inf); b - w 2^k and a + w' 2^k near peaks of width w, w'. */
static int breaks(double a, double b, double wl, double wr, double *p)
{
    int n = 0, i, k = 0;
    double x;
    add_break(p, &n, a);
    add_break(p, &n, b);
    if (a < 0.0 && b > 0.0)
        add_break(p, &n, 0.0);
    for (x = -1.0; x > a && n<GK_MAX_PIECES / 2; x *= x> - 1e9 ? 2.0 : 1e3) /* 1/|x| tails to -1e300 */
        if (x < b)
            add_break(p, &n, x);
    for (k = 0; wr > 0.0 && k < 40 && b - wr * ldexp(1.0, k) > a; ++k) add_break(p, &n, b - wr * ldexp(1.0, k));
    for (k = 0; wl > 0.0 && k < 40 && a + wl * ldexp(1.0, k) < b; ++k) add_break(p, &n, a + wl * ldexp(1.0, k));
    qsort(p, (size_t)n, sizeof *p, cmp_double);
    for (i = 1, k = 1; i < n; ++i)
        if (p[i] > p[k - 1])
            p[k++] = p[i];
    return k;
}

double cob__quad2(cob__fn f, void *ctx, double a, double b, double wl, double wr, double rel)
{
    double p[GK_MAX_PIECES], sum = 0.0;
    gk_run r;
    int i, n;
    if (!(b > a))
        return 0.0;
    n = breaks(a, b, wl, wr, p);
    r.f = f;
    r.ctx = ctx;
    r.rel = rel;
    r.budget = GK_BUDGET;
    for (i = 0; i + 1 < n; ++i) sum += adapt(&r, p[i], p[i + 1], 0.0, 0);
    return sum;
}

double cob__quad(cob__fn f, void *ctx, double a, double b, double peak_w, double rel)
{
    return cob__quad2(f, ctx, a, b, 0.0, peak_w, rel);
}

/* ---- Brent ------------------------------------------------------------------------------ */

double cob__brent(cob__fn f, void *ctx, double a, double b, double fa, double fb, double xtol_rel, double xtol_abs)
{
    double c = a, fc = fa, d = b - a, e = d;
    int it;
    if (fa == 0.0)
        return a;
    if (fb == 0.0)
        return b;
    for (it = 0; it < 200; ++it) {
        double tol, m, p, q, r, s;
        if ((fb > 0.0) == (fc > 0.0)) {
            c = a;
            fc = fa;
            d = e = b - a;
        }
        if (fabs(fc) < fabs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        tol = 0.5 * (xtol_rel * fabs(b) + xtol_abs);
        m = 0.5 * (c - b);
        if (fabs(m) <= tol || fb == 0.0)
            return b;
        if (fabs(e) >= tol && fabs(fa) > fabs(fb)) {
            s = fb / fa;
            if (a == c) {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                q = fa / fc;
                r = fb / fc;
                p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0));
                q = (q - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if (p > 0.0)
                q = -q;
            else
                p = -p;
            if (2.0 * p < fmin(3.0 * m * q - fabs(tol * q), fabs(e * q))) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += fabs(d) > tol ? d : (m > 0.0 ? tol : -tol);
        fb = f(b, ctx);
    }
    return b;
}

/* ---- Gauss-Hermite (Newton on the orthonormal Hermite recurrence, as in Numerical Recipes'
 * gauher; weight e^{-x^2}, then z = sqrt(2) x, w / sqrt(pi)) ------------------------------ */

void cob__gauss_hermite(int n, double *z, double *w)
{
    const double pim4 = 0.7511255444649425; /* pi^(-1/4) */
    double x[64], wx[64], r = 0.0, pp = 1.0, p1, p2, p3;
    int i, j, it, m = (n + 1) / 2;
    for (i = 0; i < m; ++i) {
        if (i == 0)
            r = sqrt(2.0 * n + 1.0) - 1.85575 * pow(2.0 * n + 1.0, -0.16667);
        else if (i == 1)
            r -= 1.14 * pow((double)n, 0.426) / r;
        else if (i == 2)
            r = 1.86 * r - 0.86 * x[0];
        else if (i == 3)
            r = 1.91 * r - 0.91 * x[1];
        else
            r = 2.0 * r - x[i - 2];
        for (it = 0; it < 100; ++it) {
            double r1 = r;
            p1 = pim4;
            p2 = 0.0;
            for (j = 1; j <= n; ++j) {
                p3 = p2;
                p2 = p1;
                p1 = r * sqrt(2.0 / j) * p2 - sqrt((j - 1.0) / j) * p3;
            }
            pp = sqrt(2.0 * n) * p2;
            r = r1 - p1 / pp;
            if (fabs(r - r1) <= 1e-15 * fmax(1.0, fabs(r)))
                break;
        }
        x[i] = r;
        x[n - 1 - i] = -r;
        wx[i] = wx[n - 1 - i] = 2.0 / (pp * pp);
    }
    for (i = 0; i < n; ++i) {
        z[i] = 1.41421356237309504880 * x[i];
        w[i] = wx[i] / COB__SQRT_PI;
    }
}

/* ---- scaled Siegert integral ------------------------------------------------------------- */

static double siegert_integrand(double x, void *ctx)
{
    double m = *(const double *)ctx;
    if (x <= 0.0)
        return cob_erfcx(-x) * exp(-m * m);
    return exp((x - m) * (x + m)) * (2.0 - erfc(x));
}

/* 2 e^{-x^2} int_0^x e^{t^2} dt = 2 F(x) (Dawson) for x >= 30: error < 105/(16 x^9). */
static double two_dawson_asym(double x)
{
    double r = 1.0 / (x * x);
    return (1.0 + r * (0.5 + r * (0.75 + r * 1.875))) / x;
}

double cob__siegert_scaled(double lo, double hi, double *m_out)
{
    double m = hi > 0.0 ? hi : 0.0, from = cob__cut_below(lo, m, COB__CUT);
    *m_out = m;
    if (hi > COB__VMAX_ASYM) /* peak narrower than the quadrature can place: 2 e^{x^2} dominates */
        return two_dawson_asym(hi) - (lo > 30.0 ? exp((lo - hi) * (lo + hi)) * two_dawson_asym(lo) : 0.0);
    if (hi < -COB__VMAX_ASYM * 10.0) /* erfcx(|x|) sqrt(pi) = (1 - 1/(2x^2) + ...)/|x| */
        return (log(lo / hi) + 0.25 / (lo * lo) - 0.25 / (hi * hi)) / COB__SQRT_PI;
    return cob__quad(siegert_integrand, &m, from, hi, hi > 1.0 ? 0.5 / hi : 0.0, COB__QUAD_REL);
}
