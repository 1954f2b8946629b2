/* The output folder of a sweep: sweep.json records which sweep wrote it (the definition, the hash of the
 * files that decide the runs, the seeds and the shard), so that --resume and merge can check that runs
 * belong together, and merge can summarise shards without the sweep file at hand. */
#include "sweep_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rs_status rs__sweep_write_meta(const rs_sweep *sw, const char *dir, const char *shard, rs_error *err)
{
    const char *def = sw->text;
    if (strncmp(def, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte-order mark is not JSON inside JSON */
        def += 3;
    size_t size = strlen(def) + strlen(sw->file) * 2 + 512;
    char *text = malloc(size), file[RS_SWEEP_PATH_MAX * 2];
    if (!text)
        return rs_error_set(err, RS_INTERNAL, dir, "out of memory");
    size_t n = 0;
    for (const char *p = sw->file; *p && n + 3 < sizeof file; p++) {
        if (*p == '"' || *p == '\\')
            file[n++] = '\\';
        file[n++] = (unsigned char)*p < 0x20 ? '?' : *p;
    }
    file[n] = '\0';
    char sh[32] = "null";
    if (shard && shard[0])
        snprintf(sh, sizeof sh, "\"%.24s\"", shard);
    snprintf(text, size,
             "{\n\"schema\": \"" RS_SWEEP_OUT_SCHEMA "\",\n\"hash\": \"%016" PRIx64 "\",\n\"seeds\": %d,\n"
             "\"shard\": %s,\n\"file\": \"%s\",\n\"definition\": %s\n}\n",
             sw->hash, sw->seeds, sh, file, def);
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_META_FILE);
    rs_status st = rs_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return st;
}

rs_status rs__sweep_read_meta(const char *dir, rs_sweep *sw, rs_error *err)
{
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_META_FILE);
    memset(sw, 0, sizeof *sw);
    char *text;
    size_t len;
    if (rs__sweep_read_file(path, &text, &len) != 0)
        return rs_error_set(err, errno == ENOMEM ? RS_INTERNAL : RS_BAD_INPUT, path,
                            "cannot read %s: %s (is %s the output of rollsim sweep?)", path, strerror(errno), dir);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(root, "hash");
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(root, "definition");
    rs_status st = RS_OK;
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, RS_SWEEP_OUT_SCHEMA) != 0 || !cJSON_IsString(hash) ||
        !cJSON_IsNumber(seeds) || !cJSON_IsObject(def)) {
        st = rs_error_set(err, RS_BAD_INPUT, path, "%s is not a sweep output's record (schema %s)", path,
                          RS_SWEEP_OUT_SCHEMA);
        goto out;
    }
    rs_diagnostics *diag = calloc(1, sizeof *diag);
    sw->text = cJSON_PrintUnformatted(def);
    if (!diag || !sw->text) {
        free(diag);
        st = rs_error_set(err, RS_INTERNAL, path, "out of memory");
        goto out;
    }
    st = rs__sweep_decode(def, path, sw, diag);
    if (st != RS_OK)
        *err = diag->items[0];
    free(diag);
    sw->hash = strtoull(hash->valuestring, NULL, 16);
    sw->seeds = (int)seeds->valuedouble;
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(root, "file");
    if (cJSON_IsString(file))
        snprintf(sw->file, sizeof sw->file, "%s", file->valuestring);
out:
    cJSON_Delete(root);
    return st;
}
