/* What the keys and buttons of the training window do: time controls, investigations (which cost
 * simulated time), the dialogs that complete an action (a note's text, a revision, a version, a table),
 * and the action itself through the session, which applies and records it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win.h"

void win_toast(win *w, uint32_t color, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->toast, sizeof w->toast, fmt, ap);
    va_end(ap);
    w->toast_color = color;
    w->toast_until = SDL_GetTicks() + 4500;
}

void win_refresh_pods(win *w)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    int n = rs_sim_pods(sim, NULL, 0);
    if (n > w->cap_pods) {
        rs_pod_info *p = realloc(w->pods, (size_t)n * 2 * sizeof *p);
        if (!p)
            return;
        w->pods = p;
        w->cap_pods = n * 2;
    }
    w->n_pods = rs_sim_pods(sim, w->pods, w->cap_pods);
    if (w->pod_sel >= w->n_pods)
        w->pod_sel = w->n_pods - 1;
}

void win_scroll(win *w, int lines)
{
    if (w->phase == PH_DEBRIEF) {
        w->debrief_scroll += lines;
        if (w->debrief_scroll < 0)
            w->debrief_scroll = 0;
        return;
    }
    if (w->tab == TAB_PODS && (lines == 1 || lines == -1)) { /* arrows select a pod */
        w->pod_sel += lines;
        if (w->pod_sel < -1)
            w->pod_sel = -1;
        if (w->pod_sel >= w->n_pods)
            w->pod_sel = w->n_pods - 1;
        return;
    }
    w->scroll[w->tab] += lines;
    if (w->scroll[w->tab] < 0)
        w->scroll[w->tab] = 0;
}

/* ---- acting ---- */

void win_finish(win *w, const char *how)
{
    rs_error err;
    rs_error_clear(&err);
    w->result = rs_train_session_finish(w->s, how, &err);
    if (err.code != RS_OK)
        win_toast(w, RS_COL_CRIT, "%s", err.message);
    w->phase = PH_DEBRIEF;
    w->m.kind = MOD_NONE;
    w->debrief_page = 0;
    w->debrief_scroll = 0;
    SDL_StopTextInput();
}

void win_act(win *w, rs_tact *a)
{
    if (w->replay) {
        win_toast(w, RS_COL_WARN, "a replay: the actions come from the recording");
        return;
    }
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_train_session_act(w->s, a, &err);
    if (a->outcome[0]) /* the action failed, as a kubectl command does */
        win_toast(w, RS_COL_CRIT, "%s failed: %s", rs_tact_name(a->kind), a->outcome);
    else if (st != RS_OK)
        win_toast(w, RS_COL_CRIT, "cannot record the session: %s", err.message);
    else if (!rs_tact_is_investigation(a->kind))
        win_toast(w, RS_COL_OK, "done: %s%s%s", rs_tact_name(a->kind), a->arg[0] ? " " : "", a->arg);
    if (st == RS_OK && a->kind == RS_TACT_RESOLVE)
        win_finish(w, "resolved"); /* the run's tail plays out at once */
}

static void act_simple(win *w, rs_tact_kind kind)
{
    rs_tact a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    win_act(w, &a);
}

void win_start_load(win *w, rs_tact_kind kind, const char *pod, bool record)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    w->tab = kind == RS_TACT_LOGS ? TAB_LOGS : TAB_HISTORY;
    if (w->loading) {
        win_toast(w, RS_COL_WARN, "still reading: one kubectl at a time");
        return;
    }
    w->loading = true;
    w->load_kind = kind;
    w->load_start = rs_sim_now(sim);
    w->load_done = w->load_start + (kind == RS_TACT_LOGS ? RS_TRAIN_LOGS_COST : RS_TRAIN_HISTORY_COST);
    snprintf(w->load_pod, sizeof w->load_pod, "%s", pod ? pod : "");
    if (record) {
        rs_tact a;
        memset(&a, 0, sizeof a);
        a.kind = kind;
        snprintf(a.arg, sizeof a.arg, "%s", w->load_pod);
        rs_error err;
        if (rs_train_session_act(w->s, &a, &err) == RS_INTERNAL)
            win_toast(w, RS_COL_CRIT, "cannot record the session: %s", err.message);
    }
}

/* ---- dialogs ---- */

static void open_text(win *w, const char *title, const char *prompt, rs_tact_kind kind, const char *initial,
                      bool numeric, bool allow_empty)
{
    modal *m = &w->m;
    memset(m, 0, sizeof *m);
    m->kind = MOD_TEXT;
    snprintf(m->title, sizeof m->title, "%s", title);
    snprintf(m->prompt, sizeof m->prompt, "%s", prompt);
    snprintf(m->text, sizeof m->text, "%s", initial ? initial : "");
    m->numeric = numeric;
    m->allow_empty = allow_empty;
    m->act.kind = kind;
    SDL_StartTextInput();
}

static choice *add_choice(modal *m, rs_tact_kind kind, int number, const char *arg, const char *label,
                          const char *detail)
{
    if (m->n == MAX_CHOICES)
        return NULL;
    choice *c = &m->items[m->n++];
    memset(c, 0, sizeof *c);
    c->act.kind = kind;
    c->act.number = number;
    snprintf(c->act.arg, sizeof c->act.arg, "%s", arg ? arg : "");
    snprintf(c->label, sizeof c->label, "%s", label);
    snprintf(c->detail, sizeof c->detail, "%s", detail ? detail : "");
    return c;
}

static void open_choose(win *w, const char *title, const char *prompt)
{
    memset(&w->m, 0, sizeof w->m);
    w->m.kind = MOD_CHOOSE;
    snprintf(w->m.title, sizeof w->m.title, "%s", title);
    snprintf(w->m.prompt, sizeof w->m.prompt, "%s", prompt);
}

static void choose_rollback(win *w)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    rs_rollout_status st;
    rs_sim_rollout(sim, &st);
    char label[160], detail[200];
    open_choose(w, "Roll back", "How? Enter runs the first; the revisions come from the history you read (H).");
    if (st.strategy == RS_STRATEGY_CANARY && st.new_version >= 0) {
        snprintf(detail, sizeof detail, "all traffic back to the primary (%s), the canary scaled to 0",
                 sc->versions[st.stable_version].name);
        add_choice(&w->m, RS_TACT_UNDO, 0, "", "Abort the canary", detail);
    } else if (st.strategy == RS_STRATEGY_BLUE_GREEN) {
        add_choice(&w->m, RS_TACT_UNDO, 0, "", "Switch the service back to the previous active set",
                   "the selector moves back at once (about a second of errors in flight)");
    } else {
        snprintf(label, sizeof label, "kubectl rollout undo deployment/%s", sc->service);
        add_choice(&w->m, RS_TACT_UNDO, 0, "", label, "to the previous revision");
    }
    int current = rs_sim_current_revision(sim);
    for (int i = w->n_hist - 1; i >= 0 && w->have_hist; i--) {
        const rs_history_entry *h = &w->hist[i];
        if (h->revision == current)
            continue;
        snprintf(label, sizeof label, "kubectl rollout undo deployment/%s --to-revision=%d", sc->service, h->revision);
        snprintf(detail, sizeof detail, "%s%s%s", h->version, h->change_cause[0] ? " · " : "", h->change_cause);
        add_choice(&w->m, RS_TACT_UNDO, h->revision, "", label, detail);
    }
    if (!w->have_hist)
        add_choice(&w->m, RS_TACT_UNDO, 0, "", "(to pick a revision, read the rollout history first: H)", "")->disabled =
            true;
}

/* A hotfix is a build that has never run here: not the running version, nothing in the rollout history. */
static bool never_deployed(rs_sim *sim, const rs_scenario *sc, int v)
{
    rs_history_entry h[RS_MAX_REPLICASETS];
    int n = rs_sim_history(sim, h, RS_MAX_REPLICASETS);
    for (int i = 0; i < n; i++)
        if (strcmp(h[i].version, sc->versions[v].name) == 0)
            return false;
    return v != rs_sim_current_version(sim) && v != sc->initial_version;
}

static void choose_hotfix(win *w)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    open_choose(w, "Deploy a hotfix", "Which build? It builds, then rolls out like any release (a forward fix).");
    for (int v = 0; v < sc->n_versions; v++) {
        if (!never_deployed(sim, sc, v))
            continue;
        char label[160], detail[200], eta[24];
        snprintf(label, sizeof label, "%s", sc->versions[v].name);
        snprintf(detail, sizeof detail, "%s · builds and deploys in %s", sc->versions[v].change_cause,
                 rs_format_duration(sc->versions[v].build_time, eta, sizeof eta));
        add_choice(&w->m, RS_TACT_HOTFIX, 0, sc->versions[v].name, label, detail);
    }
    if (w->m.n == 0)
        add_choice(&w->m, RS_TACT_HOTFIX, 0, "", "(no fixed build is ready: nobody has written one yet)", "")->disabled =
            true;
}

static void choose_database(win *w)
{
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    open_choose(w, "Database", "Back up a table before anything drops it; a down migration reverts the schema.");
    char label[160];
    for (int i = 0; i < sc->n_tables; i++) {
        snprintf(label, sizeof label, "Back up table %s", sc->tables[i].name);
        add_choice(&w->m, RS_TACT_BACKUP, 0, sc->tables[i].name, label, "a copy to restore from, before a migration drops data");
    }
    for (int i = 0; i < sc->n_tables; i++) {
        snprintf(label, sizeof label, "Restore table %s from its backup", sc->tables[i].name);
        add_choice(&w->m, RS_TACT_RESTORE, 0, sc->tables[i].name, label, "puts back the rows of its last backup");
    }
    for (int v = 0; v < sc->n_versions; v++) {
        if (sc->versions[v].n_migrations == 0)
            continue;
        snprintf(label, sizeof label, "Run the down migration of %s", sc->versions[v].name);
        add_choice(&w->m, RS_TACT_MIGRATE_DOWN, 0, sc->versions[v].name, label,
                   "reverts its schema changes (what a down step cannot keep is lost)");
    }
    if (w->m.n == 0)
        add_choice(&w->m, RS_TACT_BACKUP, 0, "", "(this service's database has no tables or migrations)", "")->disabled =
            true;
}

static void choose_weight(win *w)
{
    static const int weights[] = {0, 10, 20, 30, 50, 100};
    open_choose(w, "Canary weight", "The share of traffic the canary gets.");
    for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "%d%%", weights[i]);
        add_choice(&w->m, RS_TACT_SET_WEIGHT, weights[i], "", label, weights[i] == 0 ? "no traffic to the canary" : "");
    }
}

static void respond(win *w, cmd_id c)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    char buf[64];
    switch (c) {
    case CMD_ACK: act_simple(w, RS_TACT_ACK); break;
    case CMD_NOTE: open_text(w, "Note to the incident channel", "What do you tell the team?", RS_TACT_NOTE, "", false, false); break;
    case CMD_ROLLBACK: choose_rollback(w); break;
    case CMD_PAUSE_ROLLOUT: {
        rs_rollout_status st;
        rs_sim_rollout(sim, &st);
        act_simple(w, st.paused ? RS_TACT_RESUME : RS_TACT_PAUSE);
        break;
    }
    case CMD_PROMOTE: act_simple(w, RS_TACT_PROMOTE); break;
    case CMD_WEIGHT: choose_weight(w); break;
    case CMD_HOTFIX: choose_hotfix(w); break;
    case CMD_CONFIG_FIX: act_simple(w, RS_TACT_CONFIG_FIX); break;
    case CMD_RESTART: act_simple(w, RS_TACT_RESTART); break;
    case CMD_SCALE:
        snprintf(buf, sizeof buf, "%d", sc->deployment.replicas);
        open_text(w, "Scale", "kubectl scale --replicas=", RS_TACT_SCALE, buf, true, false);
        break;
    case CMD_DATABASE: choose_database(w); break;
    case CMD_ESCALATE: open_text(w, "Escalate", "To whom?", RS_TACT_ESCALATE, "the owning team", false, false); break;
    case CMD_WAIT:
        open_text(w, "Wait and watch", "A decision too: why wait?", RS_TACT_WAIT, "watching the metrics before acting",
                  false, true);
        break;
    case CMD_RESOLVE:
        open_text(w, "Resolve the incident", "Summary for the channel (ends the drill):", RS_TACT_RESOLVE, "", false,
                  true);
        break;
    default: break;
    }
}

static void set_speed(win *w, double speed)
{
    w->speed = speed;
    if (speed > 0)
        w->speed_before_pause = speed;
}

static void investigate(win *w, cmd_id c)
{
    if (c == CMD_PODS) {
        w->tab = TAB_PODS;
    } else if (c == CMD_NEXT_TAB) {
        w->tab = (win_tab)((w->tab + 1) % TAB_COUNT);
    } else if (c == CMD_LOGS) {
        const char *pod = w->tab == TAB_PODS && w->pod_sel >= 0 && w->pod_sel < w->n_pods ? w->pods[w->pod_sel].name : "";
        win_start_load(w, RS_TACT_LOGS, pod, !w->replay);
    } else if (c == CMD_HISTORY) {
        win_start_load(w, RS_TACT_HISTORY, "", !w->replay);
    }
}

void win_command(win *w, cmd_id c)
{
    const cmd_info *ci = cmd_get(c);
    if (c == CMD_HELP) {
        w->m.kind = MOD_HELP;
        return;
    }
    if (c == CMD_SHOT) {
        snprintf(w->shot_buf, sizeof w->shot_buf, "%s/rollsim-train-%llu-%d.png", w->o->out_dir ? w->o->out_dir : ".",
                 (unsigned long long)rs_train_session_record(w->s)->seed, ++w->shots);
        w->shot_path = w->shot_buf;
        return;
    }
    if (w->phase == PH_DEBRIEF) {
        if (c == CMD_QUIT)
            w->quit = true;
        else if (c == CMD_DEBRIEF_PAGE)
            w->debrief_page = !w->debrief_page;
        else if (c == CMD_SAVE_PNG)
            debrief_save_png(w);
        else if (c == CMD_SAVE_REPORT)
            debrief_save_report(w);
        return;
    }
    if (w->phase != PH_LIVE || !ci)
        return;
    switch (ci->group) {
    case GRP_TIME:
        set_speed(w, c == CMD_TIME_PAUSE ? (w->speed > 0 ? 0 : w->speed_before_pause)
                     : c == CMD_SPEED_1  ? 1
                     : c == CMD_SPEED_10 ? 10
                                         : 60);
        break;
    case GRP_RESPOND:
        if (w->replay)
            win_toast(w, RS_COL_WARN, "a replay: the actions come from the recording");
        else if (c == CMD_PROMOTE && rs_train_session_scenario(w->s)->deployment.strategy.kind == RS_STRATEGY_ROLLING)
            win_toast(w, RS_COL_WARN, "a rolling update has nothing to promote");
        else if (c == CMD_WEIGHT && rs_train_session_scenario(w->s)->deployment.strategy.kind != RS_STRATEGY_CANARY)
            win_toast(w, RS_COL_WARN, "traffic weights exist only for a canary");
        else
            respond(w, c);
        break;
    case GRP_INVESTIGATE: investigate(w, c); break;
    case GRP_WINDOW:
        if (c == CMD_QUIT) {
            memset(&w->m, 0, sizeof w->m);
            w->m.kind = MOD_CONFIRM;
            snprintf(w->m.title, sizeof w->m.title, "End the drill?");
            snprintf(w->m.prompt, sizeof w->m.prompt, "The rest of the run plays out without you; the debrief opens.");
        }
        break;
    default: break;
    }
}

/* ---- dialog input ---- */

static void close_modal(win *w)
{
    w->m.kind = MOD_NONE;
    SDL_StopTextInput();
}

static void submit_text(win *w)
{
    modal *m = &w->m;
    rs_tact a = m->act;
    if (!m->text[0] && !m->allow_empty)
        return;
    if (m->numeric) {
        char *end;
        long v = strtol(m->text, &end, 10);
        if (*end || end == m->text || v < 0 || v > 10000) {
            win_toast(w, RS_COL_WARN, "a number from 0 to 10000, please");
            return;
        }
        a.number = (int)v;
    } else {
        snprintf(a.arg, sizeof a.arg, "%s", m->text);
    }
    close_modal(w);
    win_act(w, &a);
}

void win_choose(win *w, int i)
{
    modal *m = &w->m;
    if (m->kind != MOD_CHOOSE || i < 0 || i >= m->n || m->items[i].disabled)
        return;
    rs_tact a = m->items[i].act;
    close_modal(w);
    win_act(w, &a);
}

static void move_sel(modal *m, int d)
{
    for (int k = 0; k < m->n; k++) {
        m->sel = (m->sel + d + m->n) % m->n;
        if (!m->items[m->sel].disabled)
            return;
    }
}

void win_modal_key(win *w, SDL_Keycode key, Uint16 mod)
{
    modal *m = &w->m;
    (void)mod;
    if (m->kind == MOD_HELP) {
        if (key == SDLK_ESCAPE || key == SDLK_QUESTION || key == SDLK_F1 || key == SDLK_RETURN || key == SDLK_SLASH)
            m->kind = MOD_NONE;
        return;
    }
    if (key == SDLK_ESCAPE) {
        close_modal(w);
        return;
    }
    bool enter = key == SDLK_RETURN || key == SDLK_KP_ENTER;
    if (m->kind == MOD_CONFIRM) {
        if (enter || key == SDLK_y)
            win_finish(w, "quit");
        else if (key == SDLK_n)
            close_modal(w);
    } else if (m->kind == MOD_TEXT) {
        if (enter)
            submit_text(w);
        else if (key == SDLK_BACKSPACE) {
            size_t n = strlen(m->text);
            while (n > 0 && ((unsigned char)m->text[n - 1] & 0xc0) == 0x80)
                n--; /* a whole UTF-8 character */
            if (n > 0)
                m->text[n - 1] = '\0';
        }
    } else if (m->kind == MOD_CHOOSE) {
        if (enter)
            win_choose(w, m->sel);
        else if (key == SDLK_UP)
            move_sel(m, -1);
        else if (key == SDLK_DOWN || key == SDLK_TAB)
            move_sel(m, 1);
        else if (key >= SDLK_1 && key <= SDLK_9)
            win_choose(w, (int)(key - SDLK_1));
    }
}

void win_modal_text(win *w, const char *text)
{
    modal *m = &w->m;
    if (m->kind != MOD_TEXT)
        return;
    size_t n = strlen(m->text), k = strlen(text);
    if (n + k < sizeof m->text - 1)
        memcpy(m->text + n, text, k + 1);
}
