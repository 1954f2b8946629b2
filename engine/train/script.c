/* Test scripts for the window (`rollsim train --script FILE`): key presses and typed text pushed as SDL
 * events at given simulated times, screenshots, and the same in the debrief. The window stops simulated
 * time exactly at each item's time, so a scripted drill acts at the same moments on any machine.
 *
 *     # time    what   argument
 *     0         key    Return          the briefing: start
 *     6m        key    a               acknowledge
 *     6m        text   Redis errors    typed into an open text box
 *     7m        shot   live.png        a screenshot after this frame is drawn
 *     7m        size   1600x900        resize the window
 *     debrief   key    Tab             items after the run ends, one per frame
 *
 * Keys are SDL key names ("a", "Return", "Escape", "F12", "Up"), optionally "shift+" prefixed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_int.h"

typedef enum { IT_KEY, IT_TEXT, IT_SHOT, IT_SIZE } item_kind;

typedef struct {
    bool debrief;
    rs_time t;
    item_kind kind;
    SDL_Keycode key;
    Uint16 mod;
    char text[RS_TEXT_MAX];
} item;

struct script {
    item *items;
    int n, next;
    SDL_Window *window;  /* for "size" items */
    int debrief_wait;   /* frames to let the debrief draw before its first item */
};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Splits off the first word of *s. */
static char *word(char **s)
{
    char *p = *s;
    while (isspace((unsigned char)*p))
        p++;
    char *start = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return start;
}

static int parse_line(char *line, item *it, rs_time last, char *why, size_t size)
{
    char *rest = line;
    const char *when = word(&rest), *what = word(&rest);
    char *arg = trim(rest);
    memset(it, 0, sizeof *it);
    if (strcmp(when, "debrief") == 0)
        it->debrief = true;
    else if (rs_parse_duration(when, &it->t) != 0 || it->t < last) {
        snprintf(why, size, "'%s' is not a simulated time at or after the previous item's", when);
        return -1;
    }
    if (!*arg) {
        snprintf(why, size, "'%s' needs an argument", what);
        return -1;
    }
    if (strcmp(what, "key") == 0) {
        it->kind = IT_KEY;
        if (strncmp(arg, "shift+", 6) == 0) {
            it->mod = KMOD_LSHIFT;
            arg += 6;
        }
        it->key = SDL_GetKeyFromName(arg);
        if (it->key == SDLK_UNKNOWN) {
            snprintf(why, size, "unknown key name '%s' (SDL names: a, Return, Escape, Tab, Up, F12)", arg);
            return -1;
        }
    } else if (strcmp(what, "text") == 0 || strcmp(what, "shot") == 0) {
        it->kind = what[0] == 't' ? IT_TEXT : IT_SHOT;
        snprintf(it->text, sizeof it->text, "%s", arg);
    } else if (strcmp(what, "size") == 0) {
        int ww, wh, n = 0;
        if (sscanf(arg, "%dx%d%n", &ww, &wh, &n) != 2 || arg[n] || ww < 320 || wh < 200 || ww > 7680 || wh > 4320) {
            snprintf(why, size, "size takes WIDTHxHEIGHT, e.g. 1600x900");
            return -1;
        }
        it->kind = IT_SIZE;
        it->mod = 0;
        snprintf(it->text, sizeof it->text, "%dx%d", ww, wh);
    } else {
        snprintf(why, size, "unknown item '%s' (key, text, shot, size)", what);
        return -1;
    }
    return 0;
}

script *script_load(const char *path, rs_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        rs_error_set(err, RS_BAD_INPUT, path, "cannot read the script %s", path);
        return NULL;
    }
    script *sc = calloc(1, sizeof *sc);
    char buf[512];
    int line_no = 0, cap = 0;
    rs_time last = 0;
    bool in_debrief = false;
    while (sc && fgets(buf, sizeof buf, f)) {
        line_no++;
        char *line = trim(buf);
        if (!*line || *line == '#')
            continue;
        if (sc->n == cap) {
            cap = cap ? cap * 2 : 32;
            item *p = realloc(sc->items, (size_t)cap * sizeof *p);
            if (!p) {
                script_free(sc);
                sc = NULL;
                break;
            }
            sc->items = p;
        }
        char why[200];
        item *it = &sc->items[sc->n];
        if (parse_line(line, it, last, why, sizeof why) != 0 || (in_debrief && !it->debrief)) {
            if (in_debrief && !it->debrief)
                snprintf(why, sizeof why, "timed items must come before the debrief items");
            char where[300];
            snprintf(where, sizeof where, "%s:%d", path, line_no);
            rs_error_set(err, RS_BAD_INPUT, where, "%s", why);
            script_free(sc);
            fclose(f);
            return NULL;
        }
        in_debrief |= it->debrief;
        if (!it->debrief)
            last = it->t;
        sc->n++;
    }
    fclose(f);
    if (!sc)
        rs_error_set(err, RS_INTERNAL, path, "out of memory");
    else
        sc->debrief_wait = 3;
    return sc;
}

void script_free(script *sc)
{
    if (!sc)
        return;
    free(sc->items);
    free(sc);
}

rs_time script_next_time(const script *sc)
{
    if (!sc || sc->next >= sc->n || sc->items[sc->next].debrief)
        return RS_TIME_NEVER;
    return sc->items[sc->next].t;
}

static void push_key(SDL_Keycode key, Uint16 mod)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = key;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(key);
    ev.key.keysym.mod = mod;
    SDL_PushEvent(&ev);
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    SDL_PushEvent(&ev);
}

static void push_text(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        size_t k = n < sizeof ev.text.text - 1 ? n : sizeof ev.text.text - 1;
        while (k < n && ((unsigned char)s[k] & 0xc0) == 0x80) /* whole characters only */
            k--;
        memcpy(ev.text.text, s, k);
        SDL_PushEvent(&ev);
        s += k;
        n -= k;
    }
}

void script_set_window(script *sc, SDL_Window *window)
{
    if (sc)
        sc->window = window;
}

static void fire(script *sc, const item *it, const char **shot)
{
    int ww, wh;
    switch (it->kind) {
    case IT_KEY: push_key(it->key, it->mod); break;
    case IT_TEXT: push_text(it->text); break;
    case IT_SHOT: *shot = it->text; break;
    case IT_SIZE:
        if (sc->window && sscanf(it->text, "%dx%d", &ww, &wh) == 2)
            SDL_SetWindowSize(sc->window, ww, wh); /* the resize event arrives with the next drain */
        break;
    }
}

int script_fire_timed(script *sc, rs_time now, const char **shot)
{
    int n = 0;
    while (sc && sc->next < sc->n && !sc->items[sc->next].debrief && sc->items[sc->next].t <= now) {
        item_kind k = sc->items[sc->next].kind;
        if ((k == IT_SHOT || k == IT_TEXT) && n > 0)
            break; /* next frame: once the keys pushed now have been handled (a dialog opened, drawn) */
        fire(sc, &sc->items[sc->next++], shot);
        n++;
        if (*shot)
            break; /* one screenshot per frame */
    }
    return n;
}

bool script_fire_debrief(script *sc, const char **shot)
{
    if (!sc)
        return false;
    while (sc->next < sc->n && !sc->items[sc->next].debrief)
        sc->next++; /* timed items the run never reached */
    if (sc->next >= sc->n)
        return false;
    if (sc->debrief_wait > 0) {
        sc->debrief_wait--;
        return true;
    }
    fire(sc, &sc->items[sc->next++], shot);
    sc->debrief_wait = 1;
    return true;
}
