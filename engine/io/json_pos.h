/* Positions in raw JSON text, which cJSON does not keep. A strict syntax check explains the first error
 * of a file in words, and a locator walks the text to the value at a JSON path so that a diagnostic can
 * name a line and a column. Private to engine/io. */
#ifndef ROLLSIM_JSON_POS_H
#define ROLLSIM_JSON_POS_H

#include <stdbool.h>
#include <stddef.h>

#define RS_JSON_MAX_DEPTH 512 /* deeper nesting is refused (cJSON's own limit is 1000) */
#define RS_JSON_MAX_NUMBER 63 /* cJSON reads at most 63 characters of a number */

/* One step of a JSON path: a key (and which occurrence of it, when an object repeats a key) or an
 * array index. */
typedef struct {
    const char *key; /* NULL for an array index */
    int index;       /* array index, or occurrence of a repeated key (0 = first) */
} rs_json_seg;

/* Checks that text[0..len) is one strict JSON value (RFC 8259, UTF-8, nesting <= RS_JSON_MAX_DEPTH).
 * Returns 0, or -1 with *at set to the byte offset of the problem and msg to what was expected. */
int rs_json_check_syntax(const char *text, size_t len, size_t *at, char *msg, size_t msg_size);

/* Byte offset of the value at the path (of its key instead when at_key and the last step is a key) in
 * valid JSON text. When the path does not exist, the offset of the deepest value that does. */
size_t rs_json_locate(const char *text, size_t len, const rs_json_seg *path, int n, bool at_key);

/* Offset of the first byte of s[0..len) that is not valid UTF-8 or is a control character, or len. */
size_t rs_json_check_text(const char *s, size_t len);

/* 1-based line and column (in bytes) of a byte offset. */
void rs_json_line_col(const char *text, size_t len, size_t off, int *line, int *col);

#endif
