/* include/cobalt/config.h -- loading a YAML configuration (keys in docs/config.md) into a
 * cob_config (net.h), with command-line overrides ("--set run.seed=3"). Pairs with
 * host/config/config.c (file, YAML, overrides), host/config/config_read.c (YAML -> struct) and
 * host/config/config_check.c (defaults, cob_config_check). Errors name file:line (or the --set),
 * the key path, the value and what is allowed. */
#ifndef COBALT_CONFIG_H
#define COBALT_CONFIG_H

#include "net.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Load the YAML file at path into c (c need not be initialised): defaults first
 * (cob_config_defaults), then the file, then each override "dotted.key=value" in
 * sets[0 .. n_sets) applied to the YAML tree (run.seed=3, populations.E.size=500 -- a list
 * item by its name --, projections.0.weight=0.002 -- by its index --, stats.v_hist.bins=100;
 * the value is read as YAML, so [1, 5] is a list), then cob_config_check.
 * On success c->path holds path and c->text the file text followed by one comment line
 * "# --set key=value" per override (free with cob_config_free).
 * On error: COB_ERR_IO (file missing or unreadable), COB_ERR_CONFIG (syntax, unknown key, wrong
 * type, out of range, ...), COB_ERR_NOMEM or COB_ERR_INVALID (bad arguments), with the message
 * in err; c is then back to defaults and holds nothing that needs freeing. */
cob_status cob_config_load(cob_config *c, const char *path, const char *const *sets, int n_sets,
                           cob_err *err);

/* Same from the NUL-terminated YAML in text; name (e.g. "test.yaml", NULL for "config") stands
 * for the file in messages and is kept in c->path. */
cob_status cob_config_load_string(cob_config *c, const char *text, const char *name,
                                  const char *const *sets, int n_sets, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
