/* tests/test_publish.c -- publication of files (host/util/publish.c): cob__publish_all replaces
 * its files all or none. When a later rename fails, the renames already done are undone: an
 * old file comes back, a new one is removed; no temporary or kept old file stays. The failure is
 * made by the last file's writer itself, which puts a non-empty directory where its file goes
 * after the paths were checked (as a concurrent process could). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/publish.h"

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/cobalt_publish_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void in_dir(char *path, size_t len, const char *name)
{
    snprintf(path, len, "%s/%s", dir, name);
}

/* Write the text user points to into path. */
static cob_status write_text(const char *path, void *user, cob_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cob_err_set(err, COB_ERR_IO, "cannot create %s", path);
    fputs(user, f);
    return fclose(f) == 0 ? COB_OK : cob_err_set(err, COB_ERR_IO, "cannot write %s", path);
}

/* Write the temporary, then block the rename: a non-empty directory at the final path
 * (user: that path). */
static cob_status write_then_block(const char *path, void *user, cob_err *err)
{
    char inner[600];
    cob_status st = write_text(path, "new b", err);
    snprintf(inner, sizeof inner, "%s/x", (const char *)user);
    cr_assert_eq(mkdir(user, 0755), 0);
    cr_assert_eq(write_text(inner, "x", err), COB_OK);
    return st;
}

static void expect_text(const char *name, const char *text)
{
    char path[400], buf[64] = "";
    in_dir(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s is gone", path);
    buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
    fclose(f);
    cr_expect_str_eq(buf, text, "%s", path);
}

static int leftovers(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.tmp\\.\\|\\.old\\.'", dir);
    return system(cmd) == 0;
}

Test(publish, all_or_none_when_a_rename_fails, .init = make_dir, .fini = remove_dir)
{
    char a[400], b[400], c[400];
    cob_err err = {COB_OK, ""};
    in_dir(a, sizeof a, "a.h5");
    in_dir(b, sizeof b, "a.csv");
    in_dir(c, sizeof c, "c.h5");
    cr_assert_eq(write_text(a, "old a", &err), COB_OK);
    /* a existed: it comes back; c was new: it is removed */
    cob__publish_item items[3] = {{a, write_text, "new a"}, {c, write_text, "new c"}, {b, write_then_block, b}};
    cr_expect_eq(cob__publish_all(items, 3, &err), COB_ERR_IO);
    cr_expect(strstr(err.msg, "a.csv") != NULL, "%s", err.msg);
    expect_text("a.h5", "old a");
    cr_expect(access(c, F_OK) != 0, "c.h5 was left although b's rename failed");
    cr_expect(!leftovers(), "a temporary or a kept old file was left");
    /* and without the failure all three are replaced */
    char rm[500];
    snprintf(rm, sizeof rm, "rm -rf '%s'", b);
    cr_assert_eq(system(rm), 0);
    items[2].write_fn = write_text;
    items[2].user = "new b";
    cr_expect_eq(cob__publish_all(items, 3, &err), COB_OK, "%s", err.msg);
    expect_text("a.h5", "new a");
    expect_text("a.csv", "new b");
    expect_text("c.h5", "new c");
    cr_expect(!leftovers(), "a temporary or a kept old file was left");
}
