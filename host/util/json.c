/* host/util/json.c -- cob__json_str: a C string as a JSON string literal. Pairs with
 * host/util/json.h (contract and limits). */
#include "util/json.h"

#include <stdio.h>

/* The escape of byte ch into esc (at least 7 bytes); its length, 0 when ch needs none. */
static size_t escape_of(unsigned char ch, char *esc)
{
    if (ch == '"' || ch == '\\')
        return (size_t)snprintf(esc, 7, "\\%c", ch);
    if (ch == '\n')
        return (size_t)snprintf(esc, 7, "\\n");
    if (ch == '\t')
        return (size_t)snprintf(esc, 7, "\\t");
    if (ch < 0x20)
        return (size_t)snprintf(esc, 7, "\\u%04x", ch);
    return 0;
}

void cob__json_str(cob__json_put put, void *sink, const char *s, size_t max)
{
    if (!s) {
        put(sink, "null", 4);
        return;
    }
    put(sink, "\"", 1);
    size_t i, plain = 0; /* s[plain .. i) is not given yet and needs no escape */
    for (i = 0; i < max && s[i]; i++) {
        char esc[8];
        size_t n = escape_of((unsigned char)s[i], esc);
        if (n == 0)
            continue;
        put(sink, s + plain, i - plain);
        put(sink, esc, n);
        plain = i + 1;
    }
    put(sink, s + plain, i - plain);
    put(sink, "\"", 1);
}
