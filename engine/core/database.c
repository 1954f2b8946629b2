/* The database of the seed's Part 4: tables with columns and rows written by requests, and the
 * migrations a version brings. The model always knows what a down step would lose: rows with data in
 * an added column, values beyond an old type's range, rows of an added table; a dropped column's
 * values are gone when the migration runs, unless a backup holds them. An older version running against
 * a schema it does not understand fails part of its requests. Versions listed later in the scenario are
 * newer: they understand the schema changes of the versions before them. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static db_table *find_table(rs_sim *sim, const char *name)
{
    for (int i = 0; i < sim->db.n_tables; i++)
        if (strcmp(sim->db.tables[i].name, name) == 0)
            return &sim->db.tables[i];
    return NULL;
}

static int find_col(const db_table *t, const char *name)
{
    for (int i = 0; i < t->n_cols; i++)
        if (strcmp(t->col[i], name) == 0)
            return i;
    return -1;
}

static const rs_migration *mig(const rs_sim *sim, const db_mig *m)
{
    return &sim->sc->versions[m->version].migrations[m->index];
}

void rs__db_init(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    database *db = &sim->db;
    for (int i = 0; i < sc->n_tables && i < RS_MAX_TABLES; i++) {
        db_table *t = &db->tables[db->n_tables++];
        const rs_table_spec *ts = &sc->tables[i];
        snprintf(t->name, sizeof t->name, "%s", ts->name);
        t->exists = true;
        t->rows = ts->rows;
        t->n_cols = ts->n_columns;
        for (int c = 0; c < ts->n_columns; c++) {
            snprintf(t->col[c], sizeof t->col[c], "%s", ts->columns[c]);
            snprintf(t->type[c], sizeof t->type[c], "%s", ts->types[c]);
        }
    }
    for (int v = 0; v < sc->n_versions; v++)
        for (int k = 0; k < sc->versions[v].n_migrations; k++)
            db->migs[db->n_migs++] = (db_mig){.version = v, .index = k, .status = MIG_NOT_RUN};
    /* the running version's schema is already in place */
    for (int i = 0; i < db->n_migs; i++)
        if (db->migs[i].version == sc->initial_version)
            db->migs[i].status = MIG_APPLIED;
}

static void apply_one(rs_sim *sim, db_mig *m)
{
    const rs_migration *x = mig(sim, m);
    database *db = &sim->db;
    db_table *t = find_table(sim, x->table);
    const char *vn = sim->sc->versions[m->version].name;
    switch (x->kind) {
    case RS_MIG_ADD_TABLE:
        if (!t && db->n_tables < RS_MAX_TABLES) {
            t = &db->tables[db->n_tables++];
            memset(t, 0, sizeof *t);
            snprintf(t->name, sizeof t->name, "%s", x->table);
        }
        if (t) {
            t->exists = true;
            t->added = true;
            t->rows = 0;
        }
        rs__timeline(sim, sim->now, RS_EV_MIGRATION, "%s: CREATE TABLE %s", vn, x->table);
        break;
    case RS_MIG_ADD_COLUMN:
        if (t && find_col(t, x->column) < 0 && t->n_cols < RS_MAX_COLUMNS) {
            int c = t->n_cols++;
            snprintf(t->col[c], sizeof t->col[c], "%s", x->column);
            snprintf(t->type[c], sizeof t->type[c], "%s", x->type);
            t->data[c] = 0;
            t->over[c] = 0;
        }
        rs__timeline(sim, sim->now, RS_EV_MIGRATION, "%s: ALTER TABLE %s ADD COLUMN %s %s", vn, x->table, x->column, x->type);
        break;
    case RS_MIG_DROP_COLUMN: {
        int c = t ? find_col(t, x->column) : -1;
        if (c >= 0) {
            m->lost_at_apply = t->rows;
            db->rows_lost += t->rows;
            for (int j = c; j + 1 < t->n_cols; j++) {
                memcpy(t->col[j], t->col[j + 1], sizeof t->col[j]);
                memcpy(t->type[j], t->type[j + 1], sizeof t->type[j]);
                t->data[j] = t->data[j + 1];
                t->over[j] = t->over[j + 1];
            }
            t->n_cols--;
        }
        rs__timeline(sim, sim->now, RS_EV_MIGRATION, "%s: ALTER TABLE %s DROP COLUMN %s: %.0f values gone", vn, x->table,
                     x->column, m->lost_at_apply);
        break;
    }
    case RS_MIG_MODIFY_COLUMN: {
        int c = t ? find_col(t, x->column) : -1;
        if (c >= 0) {
            snprintf(m->old_type, sizeof m->old_type, "%s", t->type[c]);
            snprintf(t->type[c], sizeof t->type[c], "%s", x->type);
            t->over[c] = 0;
        }
        rs__timeline(sim, sim->now, RS_EV_MIGRATION, "%s: ALTER TABLE %s ALTER COLUMN %s TYPE %s (was %s)", vn, x->table,
                     x->column, x->type, m->old_type);
        break;
    }
    case RS_MIG_KIND_COUNT:
        break;
    }
    m->status = MIG_APPLIED;
}

/* A version's rollout starts: its migrations run first (a pre-deploy job), once. */
void rs__db_apply(rs_sim *sim, int version)
{
    for (int i = 0; i < sim->db.n_migs; i++) {
        db_mig *m = &sim->db.migs[i];
        if (m->version == version && (m->status == MIG_NOT_RUN || m->status == MIG_REVERTED))
            apply_one(sim, m);
    }
}

void rs__db_writes(rs_sim *sim, int version, double requests)
{
    database *db = &sim->db;
    for (int i = 0; i < sim->sc->n_tables && i < db->n_tables; i++)
        if (db->tables[i].exists)
            db->tables[i].rows += requests * sim->sc->tables[i].writes_per_request;
    for (int i = 0; i < db->n_migs; i++) {
        const db_mig *m = &db->migs[i];
        if (m->status != MIG_APPLIED || version < m->version)
            continue; /* older versions do not write what they do not know */
        const rs_migration *x = mig(sim, m);
        db_table *t = find_table(sim, x->table);
        if (!t || !t->exists)
            continue;
        int c = x->kind == RS_MIG_ADD_TABLE ? -1 : find_col(t, x->column);
        if (x->kind == RS_MIG_ADD_TABLE) {
            t->rows += requests * x->fill_rate;
        } else if (x->kind == RS_MIG_ADD_COLUMN && c >= 0) {
            t->data[c] += requests * x->fill_rate;
            if (t->data[c] > t->rows)
                t->data[c] = t->rows;
        } else if (x->kind == RS_MIG_MODIFY_COLUMN && c >= 0) {
            t->over[c] += requests * x->overflow_rate;
        }
    }
}

/* Share of `version`'s requests failing against a newer schema it does not understand. */
double rs__db_errors(const rs_sim *sim, int version)
{
    const database *db = &sim->db;
    double ok = 1.0;
    for (int i = 0; i < db->n_migs; i++) {
        const db_mig *m = &db->migs[i];
        if (m->status != MIG_APPLIED || version >= m->version)
            continue;
        const rs_migration *x = mig(sim, m);
        double e = x->old_error_rate;
        if (x->kind == RS_MIG_MODIFY_COLUMN) { /* only once values beyond the old range exist */
            const db_table *t = NULL;
            for (int k = 0; k < db->n_tables; k++)
                if (strcmp(db->tables[k].name, x->table) == 0)
                    t = &db->tables[k];
            int c = t ? find_col(t, x->column) : -1;
            if (c < 0 || t->over[c] <= 0)
                e = 0;
        }
        ok *= 1.0 - e;
    }
    return 1.0 - ok;
}

/* What rolling back `version`'s schema would mean: "none", "reversible" or "irreversible". */
const char *rs__db_changes(const rs_sim *sim, int version)
{
    const database *db = &sim->db;
    const char *what = "none";
    for (int i = 0; i < db->n_migs; i++) {
        const db_mig *m = &db->migs[i];
        if (m->version != version || (m->status != MIG_APPLIED && m->status != MIG_STUCK))
            continue;
        const rs_migration *x = mig(sim, m);
        if (!x->has_down || x->kind == RS_MIG_DROP_COLUMN || m->status == MIG_STUCK)
            return "irreversible";
        if (x->kind == RS_MIG_MODIFY_COLUMN) {
            for (int k = 0; k < db->n_tables; k++)
                if (strcmp(db->tables[k].name, x->table) == 0) {
                    int c = find_col(&db->tables[k], x->column);
                    if (c >= 0 && db->tables[k].over[c] > 0)
                        return "irreversible";
                }
        }
        what = "reversible";
    }
    return what;
}

/* Rows a down step would lose now that no backup covers. */
static double at_risk(const rs_sim *sim, const db_mig *m)
{
    const rs_migration *x = mig(sim, m);
    const database *db = &sim->db;
    for (int k = 0; k < db->n_tables; k++) {
        const db_table *t = &db->tables[k];
        if (strcmp(t->name, x->table) != 0)
            continue;
        if (x->kind == RS_MIG_ADD_TABLE) {
            double covered = t->backup ? t->backup_rows : 0;
            return t->rows > covered ? t->rows - covered : 0;
        }
        int c = find_col(t, x->column);
        if (c < 0)
            return 0;
        if (x->kind == RS_MIG_MODIFY_COLUMN)
            return t->over[c];
        if (x->kind == RS_MIG_ADD_COLUMN) {
            double covered = 0;
            for (int b = 0; t->backup && b < t->backup_n_cols; b++)
                if (strcmp(t->backup_col[b], x->column) == 0)
                    covered = t->backup_data[b];
            return t->data[c] > covered ? t->data[c] - covered : 0;
        }
    }
    return 0;
}

rs_status rs_action_migrate_down(rs_sim *sim, const char *version, rs_error *err)
{
    int v = version && *version ? rs_scenario_version_index(sim->sc, version) : sim->rs[sim->dep.current].version;
    if (v < 0)
        return rs_error_set(err, RS_BAD_INPUT, "migrate_down", "unknown version '%s'", version);
    database *db = &sim->db;
    const char *vn = sim->sc->versions[v].name;
    int ran = 0, stuck = 0;
    sim->decision_subject = v;
    rs__decide(sim, RS_DEC_DB_REVERT, "", vn);
    sim->decision_subject = -1;
    for (int i = db->n_migs - 1; i >= 0; i--) {
        db_mig *m = &db->migs[i];
        if (m->version != v || m->status != MIG_APPLIED)
            continue;
        const rs_migration *x = mig(sim, m);
        db_table *t = find_table(sim, x->table);
        if (!x->has_down || x->kind == RS_MIG_DROP_COLUMN) {
            m->status = x->has_down ? MIG_APPLIED : MIG_STUCK;
            stuck++;
            rs__timeline(sim, sim->now, RS_EV_MIGRATION,
                         "%s: cannot revert %s %s%s%s: %s", vn, rs_migration_kind_name(x->kind), x->table,
                         x->column[0] ? "." : "", x->column,
                         x->kind == RS_MIG_DROP_COLUMN ? "the data is already lost (restore from a backup, accept the "
                                                         "loss, or rebuild it from logs)"
                                                       : "it has no down step");
            continue;
        }
        double lost = at_risk(sim, m);
        int c = t ? find_col(t, x->column) : -1;
        if (x->kind == RS_MIG_MODIFY_COLUMN) {
            if (c >= 0 && t->over[c] > 0) {
                m->status = MIG_STUCK;
                stuck++;
                rs__timeline(sim, sim->now, RS_EV_MIGRATION,
                             "%s: cannot revert %s.%s to %s: %.0f values exceed its range (forward fix only)", vn,
                             x->table, x->column, m->old_type, t->over[c]);
                continue;
            }
            if (c >= 0)
                snprintf(t->type[c], sizeof t->type[c], "%s", m->old_type);
            lost = 0;
        } else if (x->kind == RS_MIG_ADD_COLUMN && c >= 0) {
            for (int j = c; j + 1 < t->n_cols; j++) {
                memcpy(t->col[j], t->col[j + 1], sizeof t->col[j]);
                memcpy(t->type[j], t->type[j + 1], sizeof t->type[j]);
                t->data[j] = t->data[j + 1];
                t->over[j] = t->over[j + 1];
            }
            t->n_cols--;
        } else if (x->kind == RS_MIG_ADD_TABLE && t) {
            t->exists = false;
            t->rows = 0;
        }
        db->rows_lost += lost;
        m->status = MIG_REVERTED;
        ran++;
        rs__timeline(sim, sim->now, RS_EV_MIGRATION, "%s: down migration of %s %s%s%s: %.0f rows lost%s", vn,
                     rs_migration_kind_name(x->kind), x->table, x->column[0] ? "." : "", x->column, lost,
                     lost > 0 ? " (no backup held them)" : "");
    }
    if (ran == 0 && stuck == 0)
        return rs_error_set(err, RS_BAD_INPUT, "migrate_down", "%s has no applied migration to revert", vn);
    if (stuck > 0)
        return rs_error_set(err, RS_BAD_INPUT, "migrate_down", "%d migration(s) of %s could not be reverted", stuck, vn);
    return RS_OK;
}

rs_status rs_action_backup(rs_sim *sim, const char *name, rs_error *err)
{
    db_table *t = name ? find_table(sim, name) : NULL;
    if (!t || !t->exists)
        return rs_error_set(err, RS_BAD_INPUT, "backup", "no table '%s'", name ? name : "");
    t->backup = true;
    t->backup_at = sim->now;
    t->backup_rows = t->rows;
    t->backup_n_cols = t->n_cols;
    for (int c = 0; c < t->n_cols; c++) {
        memcpy(t->backup_col[c], t->col[c], sizeof t->col[c]);
        t->backup_data[c] = t->data[c];
    }
    sim->db.backups++;
    rs__timeline(sim, sim->now, RS_EV_BACKUP, "BACKUP TABLE %s: %.0f rows", t->name, t->rows);
    return RS_OK;
}

rs_status rs_action_restore(rs_sim *sim, const char *name, rs_error *err)
{
    db_table *t = name ? find_table(sim, name) : NULL;
    if (!t || !t->backup)
        return rs_error_set(err, RS_BAD_INPUT, "restore", "no backup of table '%s'", name ? name : "");
    database *db = &sim->db;
    double newer = t->rows > t->backup_rows ? t->rows - t->backup_rows : 0; /* written since: lost */
    double recovered = 0;
    for (int i = 0; i < db->n_migs; i++) { /* a column dropped after the backup comes back with its values */
        db_mig *m = &db->migs[i];
        const rs_migration *x = mig(sim, m);
        if (x->kind != RS_MIG_DROP_COLUMN || m->status != MIG_APPLIED || strcmp(x->table, t->name) != 0 ||
            m->lost_at_apply <= 0)
            continue;
        for (int b = 0; b < t->backup_n_cols; b++)
            if (strcmp(t->backup_col[b], x->column) == 0) {
                recovered += m->lost_at_apply < t->backup_rows ? m->lost_at_apply : t->backup_rows;
                m->lost_at_apply = 0;
            }
    }
    db->rows_lost += newer - recovered;
    if (db->rows_lost < 0)
        db->rows_lost = 0;
    t->exists = true;
    t->rows = t->backup_rows;
    t->n_cols = t->backup_n_cols;
    for (int c = 0; c < t->n_cols; c++) {
        memcpy(t->col[c], t->backup_col[c], sizeof t->col[c]);
        t->data[c] = t->backup_data[c];
        t->over[c] = 0;
    }
    rs__timeline(sim, sim->now, RS_EV_RESTORE, "RESTORE TABLE %s from the backup: %.0f values recovered, %.0f rows written since lost",
                 t->name, recovered, newer);
    return RS_OK;
}

static const db_table *find_table_c(const rs_sim *sim, const char *name)
{
    for (int i = 0; i < sim->db.n_tables; i++)
        if (strcmp(sim->db.tables[i].name, name) == 0)
            return &sim->db.tables[i];
    return NULL;
}

static bool backup_has(const db_table *t, const char *column, double *data)
{
    for (int b = 0; t->backup && b < t->backup_n_cols; b++)
        if (strcmp(t->backup_col[b], column) == 0) {
            *data = t->backup_data[b];
            return true;
        }
    return false;
}

int rs_sim_migrations(const rs_sim *sim, rs_migration_info *out, int max)
{
    const database *db = &sim->db;
    for (int i = 0; i < db->n_migs && i < max; i++) {
        const db_mig *m = &db->migs[i];
        const rs_migration *x = mig(sim, m);
        rs_migration_info *o = &out[i];
        memset(o, 0, sizeof *o);
        o->version = m->version;
        o->kind = x->kind;
        snprintf(o->table, sizeof o->table, "%s", x->table);
        snprintf(o->column, sizeof o->column, "%s", x->kind == RS_MIG_ADD_TABLE ? "" : x->column);
        o->has_down = x->has_down && x->kind != RS_MIG_DROP_COLUMN;
        o->status = m->status == MIG_NOT_RUN    ? "not run"
                    : m->status == MIG_REVERTED ? "reverted"
                    : m->status == MIG_STUCK    ? "could not be reverted"
                                                : "applied";
        const db_table *t = find_table_c(sim, x->table);
        int c = t && x->kind != RS_MIG_ADD_TABLE ? find_col(t, x->column) : -1;
        double held = 0;
        bool in_backup = t && x->kind != RS_MIG_ADD_TABLE && backup_has(t, x->column, &held);
        if (m->status == MIG_APPLIED || m->status == MIG_STUCK) {
            if (x->kind == RS_MIG_ADD_TABLE && t && t->exists)
                o->rows_with_data = t->rows;
            else if (x->kind == RS_MIG_ADD_COLUMN && c >= 0)
                o->rows_with_data = t->data[c];
            else if (x->kind == RS_MIG_DROP_COLUMN)
                o->rows_with_data = m->lost_at_apply;
            else if (x->kind == RS_MIG_MODIFY_COLUMN && c >= 0)
                o->values_over_old_range = t->over[c];
        }
        if (t && t->backup) {
            if (x->kind == RS_MIG_ADD_TABLE)
                o->backed_up = t->backup_rows >= o->rows_with_data;
            else if (x->kind == RS_MIG_ADD_COLUMN || x->kind == RS_MIG_DROP_COLUMN)
                o->backed_up = in_backup && held >= (x->kind == RS_MIG_ADD_COLUMN ? o->rows_with_data : 0);
            else
                o->backed_up = true;
        }
    }
    return db->n_migs;
}

void rs__db_result(rs_sim *sim)
{
    rs_data_result *d = &sim->result.data;
    const database *db = &sim->db;
    d->rows_lost = db->rows_lost;
    d->backups_taken = db->backups;
    d->rows_at_risk = 0;
    d->n_migrations = 0;
    for (int i = 0; i < db->n_migs; i++) {
        const db_mig *m = &db->migs[i];
        const rs_migration *x = mig(sim, m);
        rs_migration_result *o = &d->migrations[d->n_migrations++];
        snprintf(o->version, sizeof o->version, "%s", sim->sc->versions[m->version].name);
        o->kind = x->kind;
        snprintf(o->table, sizeof o->table, "%s", x->table);
        snprintf(o->column, sizeof o->column, "%s", x->column);
        o->status = m->status == MIG_NOT_RUN    ? "not run"
                    : m->status == MIG_REVERTED ? "reverted"
                    : m->status == MIG_STUCK    ? "could not be reverted"
                                                : "applied";
        if (m->status == MIG_APPLIED && x->has_down && x->kind != RS_MIG_DROP_COLUMN)
            d->rows_at_risk += at_risk(sim, m);
    }
}
