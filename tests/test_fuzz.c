/* tests/test_fuzz.c -- config fuzzer: the shipped configs (the .yaml files of configs/, configs/validation/ and configs/examples/),
 * first shrunk to a tiny network, then mutated once each through the key table of
 * host/config/config_keys.c (values of every kind in and out of range, NaN and infinity as text,
 * huge and tiny numbers, missing required keys, unknown and duplicate keys, keys the file does not
 * use, wrong YAML types, empty and long lists, deep nesting; in a sixth of the cases also one byte
 * of the file changed or the file cut), run as `cobalt validate` and, when it
 * validates, `cobalt run` under a time limit. Every case must exit 0, or 2 (config) / 4 (memory)
 * with a message that starts with the file name and line; never a signal (sanitizer aborts
 * included), a timeout, another exit code, or a file left in the working directory. Deterministic
 * (fixed seed, sorted file list): a failure names its case number and keeps nothing; rerun with
 * FUZZ_KEEP=DIR to keep every case's YAML in DIR; FUZZ_SEED=N runs other cases (for a longer search
 * by hand; CI runs the default seed). Limits: one mutation per case, shapes from the
 * shipped files only; the sweep block is mutated as an opaque value. Regressions for what it found
 * are in tests/test_config.c and tests/test_cli.c. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>
#include "config/config_keys.h"

#define N_SHARDS 6
#define CASES_PER_SHARD 50 /* 300 cases in all */
#define MAX_FILES 32
#define MAX_SITES 512
#define TIME_LIMIT_S 20

/* ---- random numbers (splitmix64: the same cases on every machine) ----------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int rng_below(uint64_t *s, int n)
{
    return (int)(rng_next(s) % (uint64_t)n);
}
static const char *pick(uint64_t *s, const char *const *list, int n)
{
    return list[rng_below(s, n)];
}
#define PICK(s, arr) pick((s), (arr), (int)(sizeof(arr) / sizeof(arr[0])))

/* ---- the shipped configs ---------------------------------------------------------------- */

static char *files[MAX_FILES];
static int n_files;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", COBALT_SOURCE_DIR, rel);
    DIR *d = opendir(path);
    cr_assert_not_null(d, "%s", path);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0 && n_files < MAX_FILES) {
            files[n_files] = malloc(strlen(path) + n + 2);
            sprintf(files[n_files++], "%s/%s", path, e->d_name);
        }
    }
    closedir(d);
}

static void list_files(void)
{
    if (n_files)
        return;
    add_dir("configs");
    add_dir("configs/validation");
    add_dir("configs/examples");
    qsort(files, (size_t)n_files, sizeof files[0], cmp_str);
    cr_assert_geq(n_files, 8, "shipped configs found: %d", n_files);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc((size_t)n + 1, 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

/* ---- the YAML tree ---------------------------------------------------------------------- */

static yaml_node_t *node(yaml_document_t *d, int id)
{
    return yaml_document_get_node(d, id);
}

static int scalar(yaml_document_t *d, const char *text)
{
    int id = yaml_document_add_scalar(d, NULL, (yaml_char_t *)text, (int)strlen(text), YAML_ANY_SCALAR_STYLE);
    cr_assert_gt(id, 0);
    return id;
}

static int is_key(yaml_document_t *d, yaml_node_pair_t *p, const char *name)
{
    yaml_node_t *k = node(d, p->key);
    return k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, name) == 0;
}

static yaml_node_pair_t *find_pair(yaml_document_t *d, int map, const char *name)
{
    yaml_node_t *m = node(d, map);
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        if (is_key(d, p, name))
            return p;
    return NULL;
}

static double num_value(yaml_document_t *d, int id)
{
    yaml_node_t *n = node(d, id);
    return n && n->type == YAML_SCALAR_NODE ? strtod((const char *)n->data.scalar.value, NULL) : 0.0;
}

/* Set (or add) key name of mapping map to the scalar text. */
static void set_key(yaml_document_t *d, int map, const char *name, const char *text)
{
    yaml_node_pair_t *p = find_pair(d, map, name);
    if (p)
        p->value = scalar(d, text);
    else
        yaml_document_append_mapping_pair(d, map, scalar(d, name), scalar(d, text));
}

/* The shipped network made tiny: 20 ms without warm-up, populations of at most 60, in-degrees of
 * at most 10, rasters and traces of at most 5 neurons, protocol windows shared out over the 20 ms;
 * what the file does not set stays unset. */
static void shrink(yaml_document_t *d)
{
    int root = 1;
    yaml_node_pair_t *p;
    if ((p = find_pair(d, root, "run")) != NULL) {
        set_key(d, p->value, "t_sim_ms", "20");
        set_key(d, p->value, "t_warmup_ms", "0");
    }
    const char *lists[2] = {"populations", "projections"}, *keys[2] = {"size", "indegree"};
    const double caps[2] = {60, 10};
    /* scalar() and set_key() add nodes, which may move the document's node array: node pointers
     * are fetched again after each (item ids and the items arrays themselves stay put) */
    for (int l = 0; l < 2; l++) {
        yaml_node_t *seq = (p = find_pair(d, root, lists[l])) ? node(d, p->value) : NULL;
        if (!seq || seq->type != YAML_SEQUENCE_NODE)
            continue;
        yaml_node_item_t *items = seq->data.sequence.items.start;
        long n_items = (long)(seq->data.sequence.items.top - items);
        for (long k = 0; k < n_items; k++) {
            yaml_node_pair_t *q = find_pair(d, items[k], keys[l]);
            if (q && num_value(d, q->value) > caps[l])
                q->value = scalar(d, l ? "10" : "60");
        }
    }
    /* protocol windows: n equal windows over the 20 ms */
    yaml_node_pair_t *w = (p = find_pair(d, root, "protocol")) != NULL ? find_pair(d, p->value, "windows") : NULL;
    yaml_node_t *ws = w ? node(d, w->value) : NULL;
    if (ws && ws->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *items = ws->data.sequence.items.start;
        long n = (long)(ws->data.sequence.items.top - items);
        for (long k = 0; k < n; k++) {
            char t[32];
            snprintf(t, sizeof t, "%g", 20.0 * (double)k / (double)n);
            set_key(d, items[k], "start_ms", t);
            snprintf(t, sizeof t, "%g", 20.0 * (double)(k + 1) / (double)n);
            set_key(d, items[k], "end_ms", t);
        }
    }
    if ((p = find_pair(d, root, "stats")) != NULL) {
        const char *subs[2] = {"raster", "traces"};
        for (int s = 0; s < 2; s++) {
            yaml_node_pair_t *q = find_pair(d, p->value, subs[s]), *r;
            if (q && (r = find_pair(d, q->value, "neurons")) != NULL && num_value(d, r->value) > 5)
                r->value = scalar(d, "5");
        }
    }
}

/* A mapping of the document and the key table that describes it (NULL: none, e.g. the sweep). */
typedef struct {
    int map;
    const cob__key *table;
} site;

static int n_sites;
static site sites[MAX_SITES];

static void walk(yaml_document_t *d, int id, const cob__key *table)
{
    yaml_node_t *m = node(d, id);
    if (!m || m->type != YAML_MAPPING_NODE || n_sites == MAX_SITES)
        return;
    sites[n_sites++] = (site){id, table};
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
        const cob__key *key = table && k->type == YAML_SCALAR_NODE
                                  ? cob__key_find(table, (const char *)k->data.scalar.value)
                                  : NULL;
        if (!key)
            continue;
        if (key->kind == COB__K_MAP)
            walk(d, p->value, key->sub);
        else if ((key->kind == COB__K_POPS || key->kind == COB__K_PROJS || key->kind == COB__K_WINDOWS ||
                  key->kind == COB__K_PERTS) &&
                 v->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
                walk(d, *it,
                     key->kind == COB__K_POPS      ? cob__pop_keys
                     : key->kind == COB__K_PROJS   ? cob__proj_keys
                     : key->kind == COB__K_WINDOWS ? cob__window_keys
                                                   : cob__pert_keys);
    }
}

/* ---- values ------------------------------------------------------------------------------ */

static const char *const odd_numbers[] = {
    "nan",
    ".nan",
    "NaN",
    ".inf",
    "-.inf",
    "inf",
    "-inf",
    "infinity",
    "1e309",
    "-1e309",
    "1e308",
    "-1e308",
    "1e-320",
    "4.9e-324",
    "-1e-300",
    "0",
    "-0",
    "-1",
    "1",
    "0.5",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "1e19",
    "1e4",
    "1.5",
    "0x10",
    "0o17",
    "1_000",
    "+1",
    ".5",
    "5.",
    "1e",
    "1.5.3",
    "12abc",
    "",
    "~",
    "null",
    "true",
    "no",
    "abc",
    "E",
    "  7  ",
    "1e-7",
    "100000000000"};
static const char *const odd_names[] = {
    "E",
    "I",
    "X",
    "e",
    "",
    "~",
    "poisson",
    "lif_cond",
    "lif_curr",
    "linear",
    "exp",
    "pool",
    "independent",
    "euler",
    "a_name_that_is_far_longer_than_thirty_two_bytes",
    "0123456789012345678901234567890",
    "01234567890123456789012345678901",
    "x\ty",
    "\xc3\xa9",
    "nan",
    "1"};

/* A value text for key k: half of the time within its range (so that cases pass validation and
 * run), else one of the odd texts. */
static const char *value_text(uint64_t *s, const cob__key *k, char *buf, size_t len)
{
    if (k && k->kind == COB__K_ENUM && rng_below(s, 2)) {
        int n = 0;
        while (k->names[n]) n++;
        return k->names[rng_below(s, n)];
    }
    if (k && k->kind == COB__K_BOOL && rng_below(s, 2))
        return rng_below(s, 2) ? "true" : "no";
    if (k && (k->kind == COB__K_NAME || k->kind == COB__K_POP || k->kind == COB__K_ENUM))
        return PICK(s, odd_names);
    int numeric = k && (k->kind == COB__K_NUM || k->kind == COB__K_INT || k->kind == COB__K_INT64 ||
                        k->kind == COB__K_U64 || k->kind == COB__K_SCHED || k->kind == COB__K_PAIR);
    if (numeric && rng_below(s, 3) == 0) { /* the edges of the range, and just inside them */
        double v;
        switch (rng_below(s, 4)) {
        case 0: v = k->lo; break;
        case 1: v = k->hi; break;
        case 2: v = isfinite(k->lo) ? nextafter(k->lo, HUGE_VAL) : -1e300; break;
        default: v = isfinite(k->hi) ? nextafter(k->hi, -HUGE_VAL) : 1e300; break;
        }
        if (!isfinite(v))
            v = v > 0 ? 1e300 : -1e300;
        if (k->kind != COB__K_NUM && k->kind != COB__K_SCHED && k->kind != COB__K_PAIR)
            v = floor(v);
        snprintf(buf, len, "%.17g", v);
        return buf;
    }
    if (numeric && rng_below(s, 2)) {
        double lo = k->lo > -1e3 ? k->lo : -1e3, hi = k->hi < 1e3 ? k->hi : 1e3;
        double u = (double)(rng_next(s) >> 11) / 9007199254740992.0;
        double v = lo + (hi - lo) * u;
        if (k->kind == COB__K_NUM || k->kind == COB__K_SCHED || k->kind == COB__K_PAIR)
            snprintf(buf, len, "%.6g", v);
        else
            snprintf(buf, len, "%.0f", v < 1 ? 1 : v > 50 ? 50 : v);
        return buf;
    }
    return PICK(s, odd_numbers);
}

/* A value node for key k: a scalar, or for lists and pairs a sequence of such values. */
static int value_node(yaml_document_t *d, uint64_t *s, const cob__key *k)
{
    char buf[64];
    if (k && (k->kind == COB__K_PAIR || k->kind == COB__K_SCHED) && rng_below(s, 2)) {
        int seq = yaml_document_add_sequence(d, NULL, YAML_FLOW_SEQUENCE_STYLE);
        int n = rng_below(s, 5);
        for (int i = 0; i < n; i++) {
            int item;
            if (k->kind == COB__K_SCHED && rng_below(s, 4)) { /* a [t_ms, value] point */
                item = yaml_document_add_sequence(d, NULL, YAML_FLOW_SEQUENCE_STYLE);
                snprintf(buf, sizeof buf, "%d", rng_below(s, 4) ? 5 * i : 5 * (n - i));
                yaml_document_append_sequence_item(d, item, scalar(d, buf));
                yaml_document_append_sequence_item(d, item, scalar(d, value_text(s, k, buf, sizeof buf)));
            } else {
                item = scalar(d, value_text(s, k, buf, sizeof buf));
            }
            yaml_document_append_sequence_item(d, seq, item);
        }
        return seq;
    }
    return scalar(d, value_text(s, k, buf, sizeof buf));
}

/* A value of the wrong YAML type, or deeply nested. */
static int odd_node(yaml_document_t *d, uint64_t *s)
{
    int kind = rng_below(s, 6), id;
    switch (kind) {
    case 0: return yaml_document_add_sequence(d, NULL, YAML_FLOW_SEQUENCE_STYLE);
    case 1: return yaml_document_add_mapping(d, NULL, YAML_FLOW_MAPPING_STYLE);
    case 2:
        id = yaml_document_add_mapping(d, NULL, YAML_FLOW_MAPPING_STYLE);
        yaml_document_append_mapping_pair(d, id, scalar(d, "a"), scalar(d, "1"));
        return id;
    case 3:
        id = yaml_document_add_sequence(d, NULL, YAML_FLOW_SEQUENCE_STYLE);
        for (int i = 0; i < 3; i++) yaml_document_append_sequence_item(d, id, scalar(d, "1"));
        return id;
    default: { /* nesting, 1 000 levels of lists or of mappings */
        int inner = scalar(d, "1");
        for (int i = 0; i < 1000; i++) {
            if (kind == 4) {
                id = yaml_document_add_sequence(d, NULL, YAML_FLOW_SEQUENCE_STYLE);
                yaml_document_append_sequence_item(d, id, inner);
            } else {
                id = yaml_document_add_mapping(d, NULL, YAML_FLOW_MAPPING_STYLE);
                yaml_document_append_mapping_pair(d, id, scalar(d, "k"), inner);
            }
            inner = id;
        }
        return inner;
    }
    }
}

/* ---- mutations ---------------------------------------------------------------------------- */

static const char *const unknown_keys[] = {"sizee", "tau_m", "Size", "",      "populations ", "x",
                                           "seed",  "run",   "<<",   "noise", "dt_ms",        "name"};

/* One mutation of the document at a random mapping; what it did into what (for messages). */
static void mutate(yaml_document_t *d, uint64_t *s, char *what, size_t len)
{
    n_sites = 0;
    walk(d, 1, cob__top_keys);
    site st = sites[rng_below(s, n_sites)];
    yaml_node_t *m = node(d, st.map);
    int n_pairs = (int)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    yaml_node_pair_t *p = n_pairs ? m->data.mapping.pairs.start + rng_below(s, n_pairs) : NULL;
    const char *pname = p ? (const char *)node(d, p->key)->data.scalar.value : "";
    const cob__key *k = p && st.table ? cob__key_find(st.table, pname) : NULL;
    int op = rng_below(s, 10);
    if (!p && op != 4 && op != 5)
        op = 4;
    switch (op > 7 ? 0 : op) {
    case 0:
    case 1: /* another value for a key present (at or within its range half of the time) */
        p->value = value_node(d, s, k);
        snprintf(what, len, "value of %s", pname);
        break;
    case 2: /* a wrong YAML type or deep nesting */
        p->value = odd_node(d, s);
        snprintf(what, len, "type of %s", pname);
        break;
    case 3: /* a key left out (required ones included) */
        *p = m->data.mapping.pairs.top[-1];
        m->data.mapping.pairs.top--;
        snprintf(what, len, "without %s", pname);
        break;
    case 4:
    case 5: { /* a key of the table that the file may not use yet, or an unknown one */
        const cob__key *add = NULL;
        if (st.table && op == 4) {
            int n = 0;
            while (st.table[n].name) n++;
            add = &st.table[rng_below(s, n)];
        }
        const char *name = add ? add->name : PICK(s, unknown_keys);
        int v = add && add->kind == COB__K_MAP ? odd_node(d, s) : value_node(d, s, add);
        if (add && add->kind == COB__K_MAP && add->sub) { /* a nested block with one key */
            v = yaml_document_add_mapping(d, NULL, YAML_FLOW_MAPPING_STYLE);
            int n = 0;
            while (add->sub[n].name) n++;
            const cob__key *sk = &add->sub[rng_below(s, n)];
            yaml_document_append_mapping_pair(d, v, scalar(d, sk->name), value_node(d, s, sk));
        }
        yaml_document_append_mapping_pair(d, st.map, scalar(d, name), v);
        snprintf(what, len, "added %s", name);
        break;
    }
    case 6: /* a key given twice */
        yaml_document_append_mapping_pair(d, st.map, p->key, value_node(d, s, k));
        snprintf(what, len, "duplicate %s", pname);
        break;
    default: { /* lists: emptied, or one item repeated beyond the limits */
        yaml_node_t *v = node(d, p->value);
        if (v->type != YAML_SEQUENCE_NODE) {
            p->value = value_node(d, s, k);
            snprintf(what, len, "value of %s", pname);
        } else if (rng_below(s, 2) || v->data.sequence.items.top == v->data.sequence.items.start) {
            v->data.sequence.items.top = v->data.sequence.items.start;
            snprintf(what, len, "emptied %s", pname);
        } else {
            int item = v->data.sequence.items.start[0], n = 1 + rng_below(s, 100);
            for (int i = 0; i < n; i++) yaml_document_append_sequence_item(d, p->value, item);
            snprintf(what, len, "%d more items in %s", n, pname);
        }
    }
    }
}

/* The file at path with one byte-level change: cut at a random byte, or one byte replaced by a
 * YAML indicator, a tab, a NUL, an invalid UTF-8 byte or a line break. */
static void mutate_bytes(const char *path, uint64_t *s, char *what, size_t len)
{
    static const char repl[] = {':', '[', ']',  '{',  '}',    '&',  '*', '!',  '|', '>',
                                '#', '-', '\t', '\0', '\xff', '\n', '"', '\'', '%', '@'};
    char *text = read_all(path);
    size_t n = strlen(text), at = n ? (size_t)(rng_next(s) % n) : 0;
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    if (rng_below(s, 3) == 0) {
        fwrite(text, 1, at, f);
        snprintf(what, len, "; cut at byte %zu", at);
    } else {
        int r = rng_below(s, (int)sizeof repl);
        text[at] = repl[r];
        fwrite(text, 1, n, f);
        snprintf(what, len, "; byte %zu set to 0x%02x", at, (unsigned char)repl[r]);
    }
    fclose(f);
    free(text);
}

/* ---- running a case ----------------------------------------------------------------------- */

static int write_doc(yaml_document_t *d, const char *path)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    yaml_emitter_t e;
    cr_assert(yaml_emitter_initialize(&e));
    yaml_emitter_set_output_file(&e, f);
    yaml_emitter_set_width(&e, -1);
    yaml_emitter_set_unicode(&e, 1);
    int ok = yaml_emitter_open(&e) && yaml_emitter_dump(&e, d) && yaml_emitter_close(&e);
    yaml_emitter_delete(&e);
    fclose(f);
    return ok;
}

/* The names in folder dir other than keep (NULL: none), comma-separated into buf. */
static int stray_files(const char *dir, const char *keep, char *buf, size_t len)
{
    DIR *d = opendir(dir);
    int n = 0;
    buf[0] = '\0';
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "fuzz.yaml"))
            continue;
        if (keep && !strcmp(e->d_name, keep))
            continue;
        size_t at = strlen(buf);
        snprintf(buf + at, len - at, "%s%s", n++ ? "," : "", e->d_name);
    }
    closedir(d);
    return n;
}

/* Run `cobalt ARGS` in folder work/case (stderr into work/err); the exit code, or 128 + N for
 * signal N, 124 for the time limit. */
static int run_case(const char *work, const char *args, char **err)
{
    char cmd[2048], path[600];
    snprintf(cmd, sizeof cmd, "cd '%s/case' && OMP_NUM_THREADS=1 timeout -k 5 %d '%s' %s > ../out 2> ../err", work,
             TIME_LIMIT_S, COBALT_CLI, args);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc), "shell did not exit: %d", rc);
    snprintf(path, sizeof path, "%s/err", work);
    *err = read_all(path);
    return WEXITSTATUS(rc);
}

/* A refusal names the file and a line: "cobalt: error: fuzz.yaml:LINE: ...". */
static int located(const char *err)
{
    const char *p = strstr(err, "fuzz.yaml:");
    if (!p)
        return 0;
    p += strlen("fuzz.yaml:");
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    return digits > 0 && *p == ':';
}

static void check(const char *what_cmd, int rc, const char *err, int i_case, const char *file, const char *what,
                  const char *work)
{
    char stray[512];
    cr_assert(rc == 0 || ((rc == 2 || rc == 4) && located(err)), "case %d (%s, %s): %s exit %d%s, stderr:\n%.2000s",
              i_case, file, what, what_cmd, rc,
              rc == 124  ? " (time limit)"
              : rc > 128 ? " (signal)"
                         : "",
              err);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/case", work);
    cr_assert_eq(stray_files(dir, rc == 0 && strstr(what_cmd, "run") ? "res.h5" : NULL, stray, sizeof stray), 0,
                 "case %d (%s, %s): %s exit %d left %s", i_case, file, what, what_cmd, rc, stray);
}

static void fuzz_shard(int shard)
{
    char work[] = "/tmp/cobalt_fuzz_XXXXXX", path[600], what[128];
    const char *keep = getenv("FUZZ_KEEP"), *seed_text = getenv("FUZZ_SEED");
    uint64_t seed = seed_text ? strtoull(seed_text, NULL, 0) : 0xC0BA17ull;
    list_files();
    cr_assert_not_null(mkdtemp(work));
    snprintf(path, sizeof path, "%s/case", work);
    cr_assert_eq(mkdir(path, 0700), 0);
    for (int c = 0; c < CASES_PER_SHARD; c++) {
        int i_case = shard * CASES_PER_SHARD + c;
        uint64_t s = seed * 1000003u + (uint64_t)i_case;
        const char *file = files[i_case % n_files];
        char *text = read_all(file);
        yaml_parser_t parser;
        yaml_document_t doc;
        cr_assert(yaml_parser_initialize(&parser));
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
        cr_assert(yaml_parser_load(&parser, &doc), "%s", file);
        yaml_parser_delete(&parser);
        shrink(&doc);
        if (i_case >= n_files) /* the first case of each file: shrunk only, which must run */
            mutate(&doc, &s, what, sizeof what);
        else
            snprintf(what, sizeof what, "shrunk only");
        snprintf(path, sizeof path, "%s/case/fuzz.yaml", work);
        cr_assert(write_doc(&doc, path), "case %d: emitter failed", i_case);
        yaml_document_delete(&doc);
        free(text);
        if (i_case >= n_files && rng_below(&s, 6) == 0) /* a sixth of the cases: a byte changed too */
            mutate_bytes(path, &s, what + strlen(what), sizeof what - strlen(what));
        if (keep) {
            char cmd[1400];
            snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/case%03d.yaml'", keep, path, keep, i_case);
            cr_assert_eq(system(cmd), 0);
        }
        const char *base = strrchr(file, '/') + 1;
        char *err;
        int rc = run_case(work, "validate fuzz.yaml", &err);
        check("validate", rc, err, i_case, base, what, work);
        if (i_case < n_files)
            cr_assert_eq(rc, 0, "%s shrunk does not validate: %s", base, err);
        free(err);
        if (rc == 0) {
            rc = run_case(work, "run fuzz.yaml --backend cpu --quiet --out res.h5", &err);
            check("run", rc, err, i_case, base, what, work);
            if (i_case < n_files)
                cr_assert_eq(rc, 0, "%s shrunk does not run: %s", base, err);
            free(err);
            snprintf(path, sizeof path, "%s/case/res.h5", work);
            remove(path);
        }
        snprintf(path, sizeof path, "%s/case/fuzz.yaml", work);
        remove(path);
    }
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    cr_assert_eq(system(cmd), 0);
}

Test(fuzz, shard0)
{
    fuzz_shard(0);
}
Test(fuzz, shard1)
{
    fuzz_shard(1);
}
Test(fuzz, shard2)
{
    fuzz_shard(2);
}
Test(fuzz, shard3)
{
    fuzz_shard(3);
}
Test(fuzz, shard4)
{
    fuzz_shard(4);
}
Test(fuzz, shard5)
{
    fuzz_shard(5);
}
