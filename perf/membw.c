/* perf/membw.c -- CPU bandwidth floor for the CPU backend: (a) STREAM-like copy bandwidth,
 * (b) random 16-bit increments (cell[idx[i]] += 1 with precomputed random idx), the access
 * pattern of spike delivery into the integer arrival counters. Plain C + OpenMP; built and run
 * by perf/run_membw.sh, which appends the JSON lines' figures to perf/results/membw.csv.
 *
 *   membw [--threads T] [--copy-mb MB] [--reps R] [--incs N]
 *
 * Prints one JSON line per measurement. Copy: each thread copies its slice of a (copy-mb MB)
 * array into another (default 512 MB each, far beyond a 32 MB L3; bytes_per_thread = each thread's
 * slice of one array), bytes = 2 x size per pass (read + write; write-allocate traffic not
 * counted), best of R passes. Increments: each thread
 * owns a private table of uint16 cells (64 KB, 1 MB, 16 MB, 256 MB) and N precomputed uniform
 * random indices into it (uint32, read sequentially, 4 bytes per increment of extra streaming
 * traffic), best of R passes; results as increments/s (all threads) and ns per increment per
 * thread. Deliberate limits: no NUMA placement, no non-temporal stores, no atomics (each thread
 * has its own table, as each thread owns its targets in the CPU backend). */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double best_of(double a, double b)
{
    return a < b ? a : b;
}

/* xorshift64*: a cheap generator for the index arrays (quality is not at stake here). */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static void *alloc_or_die(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0) {
        fprintf(stderr, "membw: cannot allocate %zu bytes\n", bytes);
        exit(2);
    }
    return p;
}

static void bench_copy(int threads, size_t mb, int reps)
{
    size_t n = mb * (size_t)1 << 20 >> 3, i;
    double *a = alloc_or_die(n * sizeof *a), *b = alloc_or_die(n * sizeof *b), best = 1e30;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (i = 0; i < n; ++i) {
        a[i] = (double)i;
        b[i] = 0.0;
    } /* first touch by the owning thread */
    for (int r = 0; r < reps; ++r) {
        double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num(), nt = omp_get_num_threads();
            size_t lo = n * t / nt, hi = n * (t + 1) / nt;
            memcpy(b + lo, a + lo, (hi - lo) * sizeof *a);
        }
        best = best_of(best, omp_get_wtime() - t0);
    }
    if (b[n / 2] != (double)(n / 2))
        fprintf(stderr, "membw: copy check failed\n");
    printf("{\"bench\":\"copy\",\"threads\":%d,\"bytes_per_thread\":%zu,\"gb_s\":%.3f,\"best_s\":%.6f}\n", threads,
           n * sizeof *a / threads, 2.0 * n * sizeof *a / best / 1e9, best);
    free(a);
    free(b);
}

static void bench_incr(int threads, size_t table_bytes, size_t n_inc, int reps)
{
    size_t cells = table_bytes / sizeof(uint16_t);
    double best = 1e30;
    uint64_t check = 0;
    uint16_t **tab = calloc((size_t)threads, sizeof *tab);
    uint32_t **idx = calloc((size_t)threads, sizeof *idx);
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num();
        uint64_t s = 0x9E3779B97F4A7C15ULL * (uint64_t)(t + 1);
        tab[t] = alloc_or_die(cells * sizeof **tab);
        idx[t] = alloc_or_die(n_inc * sizeof **idx);
        memset(tab[t], 0, cells * sizeof **tab);
        for (size_t i = 0; i < n_inc; ++i) idx[t][i] = (uint32_t)(rng_next(&s) % cells);
    }
    for (int r = 0; r < reps; ++r) {
        double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num();
            uint16_t *c = tab[t];
            const uint32_t *x = idx[t];
            for (size_t i = 0; i < n_inc; ++i) c[x[i]] += 1;
        }
        best = best_of(best, omp_get_wtime() - t0);
    }
    for (int t = 0; t < threads; ++t) {
        for (size_t i = 0; i < cells; ++i) check += tab[t][i];
        free(tab[t]);
        free(idx[t]);
    }
    /* every increment landed (checked while no cell can have wrapped past 65535) */
    if ((uint64_t)n_inc * (uint64_t)reps / cells < 16384 && check != (uint64_t)threads * n_inc * (uint64_t)reps)
        fprintf(stderr, "membw: increment check failed\n");
    printf("{\"bench\":\"incr16\",\"threads\":%d,\"bytes_per_thread\":%zu,\"increments_per_s\":%.4e,"
           "\"ns_per_increment_per_thread\":%.3f,\"best_s\":%.6f}\n",
           threads, table_bytes, (double)n_inc * threads / best, best * 1e9 / (double)n_inc, best);
    free(tab);
    free(idx);
}

int main(int argc, char **argv)
{
    int threads = omp_get_max_threads(), reps = 5;
    size_t copy_mb = 512, n_inc = (size_t)1 << 25;
    static const size_t tables[] = {64u << 10, 1u << 20, 16u << 20, 256u << 20};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--copy-mb"))
            copy_mb = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--incs"))
            n_inc = (size_t)atol(argv[i + 1]);
        else {
            fprintf(stderr, "usage: membw [--threads T] [--copy-mb MB] [--reps R] [--incs N]\n");
            return 2;
        }
    }
    if (threads < 1 || reps < 1 || copy_mb < 1 || n_inc < 1) {
        fprintf(stderr, "membw: --threads, --reps, --copy-mb and --incs must be >= 1\n");
        return 2;
    }
    bench_copy(threads, copy_mb, reps);
    for (size_t k = 0; k < sizeof tables / sizeof *tables; ++k) bench_incr(threads, tables[k], n_inc, reps);
    return 0;
}
