/* host/config/config_keys.h -- internal to the config loader (host/config/config.c: file, YAML, --set;
 * host/config/config_read.c: YAML node tree -> cob_config; host/config/config_check.c: key tables, defaults,
 * cob_config_check). Every YAML key is described once, in a cob__key table: its type, where it
 * lives in cob_config, its allowed range and the models it applies to. Reading only checks
 * types; every range is checked from the same tables by cob__check. Not a public header. */
#ifndef COBALT_CONFIG_KEYS_H
#define COBALT_CONFIG_KEYS_H

#include <stddef.h>
#include <yaml.h>
#include "cobalt/config.h"
#include "cobalt/models.h"

typedef enum {
    COB__K_NUM,     /* double, finite */
    COB__K_INT,     /* int (an exact-integer number such as 1e4 is accepted) */
    COB__K_INT64,   /* int64_t */
    COB__K_U64,     /* uint64_t, full range */
    COB__K_BOOL,    /* int 0/1 from true/false/yes/no */
    COB__K_ENUM,    /* int-sized enum; value = index in names */
    COB__K_PAIR,    /* two doubles at off and off2: [min, max] (or one number with COB__ONE_OK) */
    COB__K_NAME,    /* char[COB_NAME_MAX] */
    COB__K_POP,     /* int index of a population, given by name */
    COB__K_MAP,     /* nested mapping: keys in sub, at base + off */
    COB__K_POPS,    /* the populations list (read by config_read.c) */
    COB__K_PROJS,   /* the projections list */
    COB__K_SKIP,    /* not read into cob_config: the `sweep` block (host/sweep/sweep_read.c reads it) */
    COB__K_SCHED,   /* cob_sched_spec: a number, or a list of [t_ms, value] points; lo/hi bound the values */
    COB__K_WINDOWS, /* the protocol's windows list (read by config_read.c after the populations) */
    COB__K_PERTS    /* the protocol's perturbations list */
} cob__kind;

/* COB__ANY_ORDER: a COB__K_PAIR that is [from, to], not [min, max] (either order). */
enum { COB__LO_OPEN = 1, COB__HI_OPEN = 2, COB__REQUIRED = 4, COB__ONE_OK = 8, COB__ANY_ORDER = 16 };
/* Model masks, bit (1 << cob_model), generated from the model registry: COB__M_<ID> for each
 * neuron model, COB__M_POISSON for sources, COB__M_LIF for every neuron model (all are LIF-family
 * and share its keys), COB__M_ALL for keys outside populations. */
/* clang-format off */
enum {
#define COB_X_MASK(ID, name) COB__M_##ID = 1u << COB_MODEL_##ID,
    COB_NEURON_MODELS(COB_X_MASK)
#undef COB_X_MASK
    COB__M_POISSON = 1u << COB_MODEL_POISSON,
    COB__M_LIF = (1u << COB_MODEL_POISSON) - 1u,
    COB__M_ALL = (1u << COB_N_MODELS) - 1u
};
/* clang-format on */

typedef struct cob__key {
    const char *name; /* NULL ends a table */
    cob__kind kind;
    size_t off, off2; /* byte offsets in the struct the table describes */
    double lo, hi;    /* allowed range (closed unless COB__LO_OPEN / COB__HI_OPEN) */
    unsigned flags;
    unsigned models;            /* populations: models the key is valid for */
    const char *const *names;   /* COB__K_ENUM: value names, NULL-terminated */
    const struct cob__key *sub; /* COB__K_MAP */
} cob__key;

extern const cob__key cob__top_keys[], cob__run_keys[], cob__pop_keys[], cob__proj_keys[], cob__stats_keys[];
extern const cob__key cob__window_keys[], cob__pert_keys[], cob__ring_kernel_keys[];
extern const char *const cob__ring_shape_names[], *const cob__tuning_shape_names[];

/* Node ids [first, last] of the YAML document that the --set `set` made (key_len: the length
 * of its key part). Messages about them name the --set instead of file:line. */
typedef struct {
    int first, last;
    const char *set;
    size_t key_len;
} cob__span;

/* Where a config came from, for messages. doc is NULL after loading (cob_config_check on a
 * struct): then lines come from the population and projection specs of c. */
typedef struct {
    const char *name; /* file name, or the name given to cob_config_load_string */
    yaml_document_t *doc;
    const cob__span *spans;
    int n_spans;
    const cob_config *c;
} cob__src;

/* COB_ERR_CONFIG with "LOC: PATH: message": LOC is file:line of node id (or "--set k=v" for a
 * node an override made; PATH is then left out when it is the override's key). */
cob_status cob__fail_node(const cob__src *s, cob_err *err, int id, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Same, finding the node of a key path ("populations[1].size") in the document, or the line
 * of the population / projection when there is no document. */
cob_status cob__fail_path(const cob__src *s, cob_err *err, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* 1-based line of node id in the file; 0 for a node made by --set. */
int cob__node_line(const cob__src *s, int id);
/* Value node of key (len bytes) in mapping node id; 0 if absent or id is not a mapping. */
int cob__map_value(const cob__src *s, int id, const char *key, size_t len);

const cob__key *cob__key_find(const cob__key *keys, const char *name);
/* 1 if the value of k stored in base is allowed by k's range (COB__K_POP: always 1). */
int cob__key_ok(const cob__key *k, const void *base);
/* Index of the first point of schedule s that k does not allow (value out of range, time not
 * increasing), -1 if none; 0 for a bad point count. */
int cob__sched_first_bad(const cob__key *k, const cob_sched_spec *s);
/* What k allows, e.g. "integer 1 .. 2147483647", "number > 0 and <= 1". */
void cob__key_allowed(const cob__key *k, char *buf, size_t len);
/* The value of k stored in base, as text (shortest form that reads back exactly). */
void cob__key_value(const cob__key *k, const void *base, char *buf, size_t len);
/* Comma-separated names of the keys valid for models. */
void cob__key_list(const cob__key *keys, unsigned models, char *buf, size_t len);
/* Shortest "%g" text of v that reads back exactly. */
void cob__fmt_num(double v, char *buf, size_t len);

/* The whole file at path as a NUL-terminated string (caller frees *out). COB_ERR_IO if missing
 * or unreadable, COB_ERR_NOMEM. */
cob_status cob__read_text(const char *path, char **out, cob_err *err);
/* Parse text (named name in messages) and apply the overrides sets[0 .. n_sets) to the tree, as
 * cob_config_load does; on COB_OK the caller deletes *doc and frees *spans (one per override),
 * and cob__src {name, doc, *spans, n_sets, c} locates messages in the file or the --set.
 * An empty document is COB_ERR_CONFIG. */
cob_status cob__parse_sets(const char *text, const char *name, const char *const *sets, int n_sets,
                           yaml_document_t *doc, cob__span **spans, cob_err *err);
/* YAML document in s -> c (types, names, references; no ranges). c starts from defaults. */
cob_status cob__read(cob_config *c, const cob__src *s, cob_err *err);
/* The names of populations [0, n) are unique; else COB_ERR_CONFIG naming the second use (checked
 * before projections refer to populations by name, and again by cob__check). */
cob_status cob__check_pop_names(const cob_config *c, const cob__src *s, int n, cob_err *err);
/* The protocol block (host/config/config_protocol.c): windows inside the measurement, in time
 * order and not overlapping, unique names; perturbations of an existing window, of a key the
 * population's model has, whose compiled schedule fits COB_SCHEDULE_MAX points and keeps its
 * input in range. */
cob_status cob__check_protocol(const cob_config *c, const cob__src *s, cob_err *err);
/* The ring keys (host/config/config_ring.c): population i's ring_period_deg; projection i's
 * ring_kernel (its parameters, both ends on rings of one period, the in-degree it can draw). */
cob_status cob__check_ring_pop(const cob_config *c, const cob__src *s, int i, cob_err *err);
cob_status cob__check_ring_proj(const cob_config *c, const cob__src *s, int i, cob_err *err);
/* Population i's tuning (its shape's keys, the rings and the input it needs, the rate it reaches);
 * after the projections and the protocol, which it reads. */
cob_status cob__check_tuning(const cob_config *c, const cob__src *s, int i, cob_err *err);
/* The largest rate (Hz) of Poisson population pop over the run, protocol included. */
double cob__pop_rate_max(const cob_config *c, int pop);
/* Every range and cross-key rule; messages located through s. */
cob_status cob__check(const cob_config *c, const cob__src *s, cob_err *err);

#endif
