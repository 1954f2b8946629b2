/* The training window's frame loop, as SDL's own tests do it: drain events, update, draw, present — once
 * per frame, 60 frames a second. Simulated time advances in update by the frame's real time × the speed,
 * stopping exactly at each scrape (the live dashboard), at the end of an investigation and at a test
 * script's items; actions happen in the event drain, between events, at the current simulated time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>

#include "win.h"

#define FRAME_S (1.0 / 60.0)

static void fit_sizes(win *w)
{
    int ww, wh;
    SDL_GetRendererOutputSize(w->ren, &w->W, &w->H);
    SDL_GetWindowSize(w->window, &ww, &wh);
    w->mouse_scale = ww > 0 ? (float)w->W / (float)ww : 1.0f;
    float u = fminf((float)w->W / 1280.0f, (float)w->H / 720.0f);
    w->ui.u = fmaxf(0.75f, fminf(u, 4.0f));
    ui_fonts(&w->ui);
}

static rs_status open_window(win *w, rs_error *err)
{
    if (!w->o->accelerated) {
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return rs_error_set(err, RS_INTERNAL, "", "cannot open a window: %s (no display? run under xvfb-run)",
                            SDL_GetError());
    /* without a display SDL falls back to an invisible window: a drill nobody can see would wait forever */
    const char *driver = SDL_GetCurrentVideoDriver();
    bool unattended = w->o->script_path || w->o->bench_frames > 0;
    if (!unattended && driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0))
        return rs_error_set(err, RS_INTERNAL, "", "no display to open the window on (SDL's %s driver): set "
                            "DISPLAY, or run under xvfb-run", driver);
    int ww = w->o->w > 0 ? w->o->w : 1280, wh = w->o->h > 0 ? w->o->h : 720;
    w->window = SDL_CreateWindow(w->replay ? "rollsim replay" : "rollsim train", SDL_WINDOWPOS_CENTERED,
                                 SDL_WINDOWPOS_CENTERED, ww, wh, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!w->window)
        return rs_error_set(err, RS_INTERNAL, "", "cannot create the window: %s", SDL_GetError());
    SDL_SetWindowMinimumSize(w->window, 960, 540);
    w->ren = SDL_CreateRenderer(w->window, -1, w->o->accelerated ? 0 : SDL_RENDERER_SOFTWARE);
    if (!w->ren)
        return rs_error_set(err, RS_INTERNAL, "", "cannot create a renderer: %s", SDL_GetError());
    SDL_SetRenderDrawBlendMode(w->ren, SDL_BLENDMODE_BLEND);
    SDL_RendererInfo info;
    if (w->o->renderer_name && SDL_GetRendererInfo(w->ren, &info) == 0)
        snprintf(w->o->renderer_name, 32, "%s", info.name);
    w->ui.ren = w->ren;
    if (!(w->ui.tx = tx_new(w->ren, err)) || !(w->dash = dash_new(w->ren, err)))
        return err->code ? err->code : RS_INTERNAL;
    SDL_StopTextInput();
    script_set_window(w->script, w->window);
    fit_sizes(w);
    return RS_OK;
}

static void close_window(win *w)
{
    dash_free(w->dash);
    tx_free(w->ui.tx);
    if (w->ren)
        SDL_DestroyRenderer(w->ren);
    if (w->window)
        SDL_DestroyWindow(w->window);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    SDL_Quit();
    script_free(w->script);
    free(w->pods);
}

/* ---- events ---- */

static void on_click(win *w, int x, int y)
{
    if (w->phase == PH_BRIEF && w->m.kind == MOD_NONE) {
        w->phase = PH_LIVE;
        return;
    }
    x = (int)lroundf((float)x * w->mouse_scale);
    y = (int)lroundf((float)y * w->mouse_scale);
    for (int i = w->n_hits - 1; i >= 0; i--) {
        const hit *h = &w->hits[i];
        if (!ui_inside(h->r, x, y))
            continue;
        if (h->choice >= 0)
            win_choose(w, h->choice);
        else if (h->tab >= 0)
            win_command(w, h->tab == TAB_PODS ? CMD_PODS : h->tab == TAB_LOGS ? CMD_LOGS : CMD_HISTORY);
        else if (h->cmd != CMD_NONE)
            win_command(w, h->cmd);
        return;
    }
}

static void on_key(win *w, const SDL_KeyboardEvent *k)
{
    SDL_Keycode key = k->keysym.sym;
    Uint16 mod = k->keysym.mod;
    if (w->m.kind != MOD_NONE) {
        win_modal_key(w, key, mod);
        return;
    }
    if (w->phase == PH_BRIEF) {
        if (key == SDLK_RETURN || key == SDLK_KP_ENTER || key == SDLK_SPACE)
            w->phase = PH_LIVE;
        else if (cmd_of_key(key, mod, false) == CMD_HELP || cmd_of_key(key, mod, false) == CMD_SHOT)
            win_command(w, cmd_of_key(key, mod, false));
        return;
    }
    cmd_id c = cmd_of_key(key, mod, w->phase == PH_DEBRIEF);
    if (c != CMD_NONE) {
        win_command(w, c);
        return;
    }
    switch (key) {
    case SDLK_UP: win_scroll(w, -1); break;
    case SDLK_DOWN: win_scroll(w, 1); break;
    case SDLK_PAGEUP: win_scroll(w, -10); break;
    case SDLK_PAGEDOWN: win_scroll(w, 10); break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        if (w->phase == PH_LIVE && w->tab == TAB_PODS && w->pod_sel >= 0)
            win_command(w, CMD_LOGS);
        break;
    case SDLK_LEFT:
    case SDLK_RIGHT:
        if (w->phase == PH_DEBRIEF)
            win_command(w, CMD_DEBRIEF_PAGE);
        break;
    default: break;
    }
}

static void on_wheel(win *w, const SDL_MouseWheelEvent *e)
{
    int x, y;
    SDL_GetMouseState(&x, &y);
    x = (int)lroundf((float)x * w->mouse_scale);
    bool right_col = x > w->W * 6 / 10;
    if (w->phase == PH_DEBRIEF) {
        w->debrief_scroll -= e->y * 3;
        if (w->debrief_scroll < 0)
            w->debrief_scroll = 0;
    } else if (right_col && y * w->mouse_scale > w->H * 0.62f) {
        w->chan_scroll += e->y * 2;
        if (w->chan_scroll < 0)
            w->chan_scroll = 0;
    } else {
        win_scroll(w, -e->y * 3);
    }
}

static void drain(win *w)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        switch (ev.type) {
        case SDL_QUIT:
            if (w->phase != PH_DEBRIEF)
                win_finish(w, "quit");
            w->quit = true;
            break;
        case SDL_WINDOWEVENT:
            if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
                fit_sizes(w);
            break;
        case SDL_KEYDOWN: on_key(w, &ev.key); break;
        case SDL_TEXTINPUT: win_modal_text(w, ev.text.text); break;
        case SDL_MOUSEBUTTONDOWN:
            if (ev.button.button == SDL_BUTTON_LEFT && w->m.kind != MOD_HELP)
                on_click(w, ev.button.x, ev.button.y);
            else if (w->m.kind == MOD_HELP)
                w->m.kind = MOD_NONE;
            break;
        case SDL_MOUSEWHEEL: on_wheel(w, &ev.wheel); break;
        default: break;
        }
    }
}

/* ---- update ---- */

static void finish_load(win *w)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    w->loading = false;
    if (w->load_kind == RS_TACT_LOGS) {
        rs_sim_logs(sim, w->load_pod, RS_TRAIN_LOG_LINES, w->logs, sizeof w->logs);
        snprintf(w->logs_pod, sizeof w->logs_pod, "%s", w->load_pod);
        w->logs_at = rs_sim_now(sim);
        w->have_logs = true;
        w->scroll[TAB_LOGS] = 1 << 20; /* the newest lines */
    } else {
        w->n_hist = rs_sim_history(sim, w->hist, RS_MAX_REPLICASETS);
        w->hist_at = rs_sim_now(sim);
        w->have_hist = true;
        w->scroll[TAB_HISTORY] = 0;
    }
}

/* Replay: the recorded actions due now; an investigation opens its panel as it did live. */
static void replay_due(win *w)
{
    const rs_tact *a;
    rs_sim *sim = rs_train_session_sim(w->s);
    rs_error err;
    while ((a = rs_train_session_next_recorded(w->s)) && a->t_ms <= rs_sim_now(sim) && !rs_sim_ended(sim)) {
        rs_tact copy = *a;
        if (rs_tact_is_investigation(copy.kind))
            win_start_load(w, copy.kind, copy.arg, false);
        if (rs_train_session_apply_due(w->s, 1, &err) < 0)
            win_toast(w, RS_COL_CRIT, "%s", err.message);
        else if (!rs_tact_is_investigation(copy.kind))
            win_toast(w, RS_COL_INFO, "replay: %s %s", rs_tact_name(copy.kind), copy.arg);
        if (copy.kind == RS_TACT_RESOLVE && !copy.outcome[0]) {
            win_finish(w, "resolved");
            return;
        }
    }
    /* the recording ended there (the trainee quit, or time ran out): the rest plays out as it did */
    const rs_train_record *f = rs_train_session_followed(w->s);
    if (f && !rs_train_session_next_recorded(w->s) && f->end_how[0] && rs_sim_now(sim) >= f->end_ms &&
        w->phase == PH_LIVE)
        win_finish(w, f->end_how);
}

static void after_advance(win *w)
{
    rs_sim *sim = rs_train_session_sim(w->s);
    int pages = rs_train_session_pages(w->s);
    if (pages > w->pages_seen) { /* the pager: slow down so the on-call notices (not when benchmarking) */
        w->pages_seen = pages;
        w->page_since = SDL_GetTicks();
        if (w->speed > 1 && w->o->bench_frames == 0)
            w->speed = 1;
    }
    if (w->loading && rs_sim_now(sim) >= w->load_done)
        finish_load(w);
    if (w->replay)
        replay_due(w);
    if (w->phase == PH_LIVE && rs_train_session_ended(w->s))
        win_finish(w, "time limit");
}

static void update(win *w, double dt)
{
    if (w->phase == PH_BRIEF || w->phase == PH_DEBRIEF) {
        const char *shot = NULL;
        if (w->phase == PH_BRIEF)
            script_fire_timed(w->script, 0, &shot);
        else if (w->script && !script_fire_debrief(w->script, &shot))
            w->quit = true; /* a script that has run out ends the window */
        if (shot)
            w->shot_path = shot;
        return;
    }
    rs_sim *sim = rs_train_session_sim(w->s);
    rs_time now = rs_sim_now(sim);
    bool stopped = w->m.kind == MOD_HELP || w->m.kind == MOD_CONFIRM; /* not part of the drill */
    rs_time target = now + (stopped ? 0 : (rs_time)llround(dt * w->speed * 1000.0));
    rs_time next = script_next_time(w->script);
    if (next < target)
        target = next > now ? next : now;
    if (w->loading && w->load_done < target)
        target = w->load_done;
    if (w->replay) {
        const rs_tact *a = rs_train_session_next_recorded(w->s);
        const rs_train_record *f = rs_train_session_followed(w->s);
        rs_time stop = a ? a->t_ms : f && f->end_how[0] ? f->end_ms : RS_TIME_NEVER;
        if (stop < target)
            target = stop > now ? stop : now;
    }
    if (target > now)
        rs_train_session_advance(w->s, target);
    after_advance(w);
    const char *shot = NULL;
    if (w->phase == PH_LIVE && script_fire_timed(w->script, rs_sim_now(sim), &shot) > 0 && shot)
        w->shot_path = shot;
}

/* ---- draw ---- */

static void screenshot(win *w, const char *path)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w->W, w->H, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s || SDL_RenderReadPixels(w->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0 ||
        IMG_SavePNG(s, path) != 0)
        win_toast(w, RS_COL_CRIT, "cannot save the screenshot %s: %s", path, SDL_GetError());
    else if (!w->script)
        win_toast(w, RS_COL_OK, "screenshot saved: %s", path);
    SDL_FreeSurface(s);
}

static void draw(win *w)
{
    w->n_hits = 0;
    ui_fill(&w->ui, (SDL_Rect){0, 0, w->W, w->H}, RS_COL_BG);
    switch (w->phase) {
    case PH_BRIEF: brief_draw(w); break;
    case PH_LIVE: live_draw(w); break;
    case PH_DEBRIEF: debrief_draw(w); break;
    }
    overlay_draw(w);
}

/* ---- the loop ---- */

static double ms_since(Uint64 t0)
{
    return (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 / (double)SDL_GetPerformanceFrequency();
}

static void run_loop(win *w)
{
    Uint64 last = SDL_GetPerformanceCounter(), freq = SDL_GetPerformanceFrequency();
    Uint64 period = (Uint64)((double)freq * FRAME_S), next = last + period;
    bool fixed = w->script || w->o->bench_frames > 0;
    int bench = 0;
    while (!w->quit) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        double dt = fixed ? FRAME_S : fmin(0.1, (double)(t0 - last) / (double)SDL_GetPerformanceFrequency());
        last = t0;
        drain(w);
        update(w, dt);
        draw(w);
        if (w->shot_path) {
            screenshot(w, w->shot_path);
            w->shot_path = NULL;
        }
        SDL_RenderPresent(w->ren);
        w->frame++;
        double work = ms_since(t0);
        if (w->o->bench_frames > 0 && w->phase == PH_LIVE) {
            if (w->o->frame_ms)
                w->o->frame_ms[bench] = work;
            if (++bench >= w->o->bench_frames)
                break;
        }
        /* 60 frames a second on a running deadline (no vsync on every renderer); a test script runs as fast
         * as frames draw */
        Uint64 now = SDL_GetPerformanceCounter();
        if (now > next + period)
            next = now; /* far behind (a slow frame): start over rather than rush */
        if (!w->script && next > now)
            SDL_Delay((Uint32)((next - now) * 1000 / freq));
        next += period;
    }
}

rs_status rs_train_window_run(rs_train_session *s, const rs_train_window_opts *o, rs_error *err)
{
    win *w = calloc(1, sizeof *w);
    if (!w)
        return rs_error_set(err, RS_INTERNAL, "", "out of memory");
    w->s = s;
    w->o = o;
    w->replay = o->replay;
    w->speed = o->speed >= 0 ? o->speed : 10;
    w->speed_before_pause = w->speed > 0 ? w->speed : 10;
    w->pod_sel = -1;
    w->phase = o->bench_frames > 0 || o->replay ? PH_LIVE : PH_BRIEF;
    rs_status st = RS_OK;
    if (o->script_path && !(w->script = script_load(o->script_path, err)))
        st = RS_BAD_INPUT;
    if (st == RS_OK)
        st = open_window(w, err);
    if (st == RS_OK)
        run_loop(w);
    if (st == RS_OK && o->bench_frames == 0 && !rs_train_session_result(s))
        win_finish(w, "quit");
    close_window(w);
    free(w);
    return st;
}
