/* host/rate/rate_linalg.c -- the dense algebra of the rate model (include/cobalt/rate.h): inverse by
 * Gauss-Jordan with partial pivoting, and the eigenvalues of a general real matrix by reduction to
 * upper Hessenberg form (Gaussian elimination with pivoting) and the Francis double-shift QR
 * iteration (the EISPACK elmhes/hqr pair, in the form of Numerical Recipes). Pairs with
 * host/rate/rate.c; tested in tests/test_rate.c (known spectra: a rotation, a circulant ring).
 * Limits: no balancing (the rate models' matrices are of one scale: weights and gains of order
 * 1, 1/tau); O(n^3), meant for n up to a few hundred; eigenvalues only, no vectors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/rate.h"

cob_status cob_rate_invert(double *a, int n, cob_err *err)
{
    int *perm = malloc((size_t)n * sizeof *perm);
    if (!perm)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory inverting a %d x %d matrix", n, n);
    for (int c = 0; c < n; ++c) {
        int p = c;
        for (int i = c + 1; i < n; ++i)
            if (fabs(a[i * n + c]) > fabs(a[p * n + c]))
                p = i;
        perm[c] = p;
        if (a[p * n + c] == 0.0) {
            free(perm);
            return cob_err_set(err, COB_ERR_INVALID, "singular %d x %d matrix (column %d)", n, n, c);
        }
        if (p != c)
            for (int j = 0; j < n; ++j) {
                double t = a[c * n + j];
                a[c * n + j] = a[p * n + j];
                a[p * n + j] = t;
            }
        double piv = 1.0 / a[c * n + c];
        a[c * n + c] = 1.0;
        for (int j = 0; j < n; ++j) a[c * n + j] *= piv;
        for (int i = 0; i < n; ++i) {
            if (i == c)
                continue;
            double f = a[i * n + c];
            a[i * n + c] = 0.0;
            for (int j = 0; j < n; ++j) a[i * n + j] -= f * a[c * n + j];
        }
    }
    /* undo the row swaps as column swaps, last first */
    for (int c = n - 1; c >= 0; --c)
        if (perm[c] != c)
            for (int i = 0; i < n; ++i) {
                double t = a[i * n + c];
                a[i * n + c] = a[i * n + perm[c]];
                a[i * n + perm[c]] = t;
            }
    free(perm);
    return COB_OK;
}

#define A(i, j) a[((i)-1) * n + ((j)-1)] /* 1-based, as the algorithm is written */

static void swap(double *x, double *y)
{
    double t = *x;
    *x = *y;
    *y = t;
}

/* Reduce a to upper Hessenberg form by similarity (elimination with pivoting); the part below the
 * subdiagonal is cleared afterwards. */
static void hessenberg(double *a, int n)
{
    for (int m = 2; m < n; ++m) {
        double x = 0.0;
        int i = m;
        for (int j = m; j <= n; ++j)
            if (fabs(A(j, m - 1)) > fabs(x)) {
                x = A(j, m - 1);
                i = j;
            }
        if (i != m) {
            for (int j = m - 1; j <= n; ++j) swap(&A(i, j), &A(m, j));
            for (int j = 1; j <= n; ++j) swap(&A(j, i), &A(j, m));
        }
        if (x == 0.0)
            continue;
        for (i = m + 1; i <= n; ++i) {
            double y = A(i, m - 1);
            if (y == 0.0)
                continue;
            y /= x;
            A(i, m - 1) = y;
            for (int j = m; j <= n; ++j) A(i, j) -= y * A(m, j);
            for (int j = 1; j <= n; ++j) A(j, m) += y * A(j, i);
        }
    }
    for (int i = 3; i <= n; ++i)
        for (int j = 1; j < i - 1; ++j) A(i, j) = 0.0;
}

static double sign_of(double a, double b)
{
    return b >= 0.0 ? fabs(a) : -fabs(a);
}

/* One double-shift QR sweep on rows/columns l..nn (shifts from x, y, w). */
static void qr_sweep(double *a, int n, int l, int nn, double x, double y, double w)
{
    int m;
    double p = 0, q = 0, r = 0, s, z;
    for (m = nn - 2; m >= l; --m) {
        z = A(m, m);
        r = x - z;
        s = y - z;
        p = (r * s - w) / A(m + 1, m) + A(m, m + 1);
        q = A(m + 1, m + 1) - z - r - s;
        r = A(m + 2, m + 1);
        s = fabs(p) + fabs(q) + fabs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m == l)
            break;
        double u = fabs(A(m, m - 1)) * (fabs(q) + fabs(r));
        double v = fabs(p) * (fabs(A(m - 1, m - 1)) + fabs(z) + fabs(A(m + 1, m + 1)));
        if (u + v == v)
            break;
    }
    for (int i = m + 2; i <= nn; ++i) {
        A(i, i - 2) = 0.0;
        if (i != m + 2)
            A(i, i - 3) = 0.0;
    }
    for (int k = m; k <= nn - 1; ++k) {
        if (k != m) {
            p = A(k, k - 1);
            q = A(k + 1, k - 1);
            r = k != nn - 1 ? A(k + 2, k - 1) : 0.0;
            if ((x = fabs(p) + fabs(q) + fabs(r)) != 0.0) {
                p /= x;
                q /= x;
                r /= x;
            }
        }
        if ((s = sign_of(sqrt(p * p + q * q + r * r), p)) == 0.0)
            continue;
        if (k == m) {
            if (l != m)
                A(k, k - 1) = -A(k, k - 1);
        } else
            A(k, k - 1) = -s * x;
        p += s;
        x = p / s;
        y = q / s;
        z = r / s;
        q /= p;
        r /= p;
        for (int j = k; j <= nn; ++j) {
            p = A(k, j) + q * A(k + 1, j);
            if (k != nn - 1) {
                p += r * A(k + 2, j);
                A(k + 2, j) -= p * z;
            }
            A(k + 1, j) -= p * y;
            A(k, j) -= p * x;
        }
        int mmin = nn < k + 3 ? nn : k + 3;
        for (int i = l; i <= mmin; ++i) {
            p = x * A(i, k) + y * A(i, k + 1);
            if (k != nn - 1) {
                p += z * A(i, k + 2);
                A(i, k + 2) -= p * r;
            }
            A(i, k + 1) -= p * q;
            A(i, k) -= p;
        }
    }
}

/* Eigenvalues of the Hessenberg matrix a (destroyed) into wr, wi (0-based). 0 ok, -1 no convergence. */
static int hqr(double *a, int n, double *wr, double *wi)
{
    double anorm = 0.0, t = 0.0;
    for (int i = 1; i <= n; ++i)
        for (int j = i > 1 ? i - 1 : 1; j <= n; ++j) anorm += fabs(A(i, j));
    int nn = n;
    while (nn >= 1) {
        int its = 0, l;
        do {
            for (l = nn; l >= 2; --l) {
                double s = fabs(A(l - 1, l - 1)) + fabs(A(l, l));
                if (s == 0.0)
                    s = anorm;
                if (fabs(A(l, l - 1)) + s == s) {
                    A(l, l - 1) = 0.0;
                    break;
                }
            }
            double x = A(nn, nn);
            if (l == nn) { /* one root found */
                wr[nn - 1] = x + t;
                wi[nn - 1] = 0.0;
                nn--;
                continue;
            }
            double y = A(nn - 1, nn - 1), w = A(nn, nn - 1) * A(nn - 1, nn);
            if (l == nn - 1) { /* two roots found */
                double p = 0.5 * (y - x), q = p * p + w, z = sqrt(fabs(q));
                x += t;
                if (q >= 0.0) {
                    z = p + sign_of(z, p);
                    wr[nn - 2] = wr[nn - 1] = x + z;
                    if (z != 0.0)
                        wr[nn - 1] = x - w / z;
                    wi[nn - 2] = wi[nn - 1] = 0.0;
                } else {
                    wr[nn - 2] = wr[nn - 1] = x + p;
                    wi[nn - 2] = z;
                    wi[nn - 1] = -z;
                }
                nn -= 2;
                continue;
            }
            if (its == 60)
                return -1;
            if (its == 10 || its == 20 || its == 40) { /* exceptional shift */
                t += x;
                for (int i = 1; i <= nn; ++i) A(i, i) -= x;
                double s = fabs(A(nn, nn - 1)) + fabs(A(nn - 1, nn - 2));
                y = x = 0.75 * s;
                w = -0.4375 * s * s;
            }
            ++its;
            qr_sweep(a, n, l, nn, x, y, w);
        } while (nn >= 1 && l < nn - 1);
    }
    return 0;
}
#undef A

cob_status cob_rate_eig(const double *a, int n, double *re, double *im, cob_err *err)
{
    double *h = malloc((size_t)n * n * sizeof *h);
    if (!h)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for the eigenvalues of a %d x %d matrix", n, n);
    memcpy(h, a, (size_t)n * n * sizeof *h);
    hessenberg(h, n);
    int rc = hqr(h, n, re, im);
    free(h);
    if (rc != 0)
        return cob_err_set(err, COB_ERR_INVALID, "eigenvalues of a %d x %d matrix: QR iteration did not converge", n,
                           n);
    return COB_OK;
}
