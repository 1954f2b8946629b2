/* The headless PNG: the layout drawn by a software renderer into an RGB surface in memory (no window, no
 * display, no SDL video subsystem), encoded by SDL_image into a growing buffer, then written atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "draw.h"
#include "layout.h"
#include "rollsim/io.h"
#include "rollsim/render.h"

/* ---- a write-only SDL_RWops into a growing buffer ---- */

typedef struct {
    unsigned char *data;
    size_t size, cap, pos;
    bool failed;
} membuf;

static size_t SDLCALL mem_write(SDL_RWops *rw, const void *p, size_t size, size_t num)
{
    membuf *m = rw->hidden.unknown.data1;
    if (size == 0 || num == 0)
        return 0;
    if (num > SIZE_MAX / size || m->pos > SIZE_MAX / 2 - size * num) {
        m->failed = true;
        return 0;
    }
    size_t n = size * num;
    if (m->pos + n > m->cap) {
        size_t cap = m->cap ? m->cap : 1 << 16;
        while (cap < m->pos + n)
            cap *= 2;
        unsigned char *data = realloc(m->data, cap);
        if (!data) {
            m->failed = true;
            return 0;
        }
        m->data = data;
        m->cap = cap;
    }
    memcpy(m->data + m->pos, p, n);
    m->pos += n;
    if (m->pos > m->size)
        m->size = m->pos;
    return num;
}

static size_t SDLCALL mem_read(SDL_RWops *rw, void *p, size_t size, size_t num)
{
    (void)rw, (void)p, (void)size, (void)num;
    return 0;
}

static Sint64 SDLCALL mem_seek(SDL_RWops *rw, Sint64 offset, int whence)
{
    membuf *m = rw->hidden.unknown.data1;
    Sint64 base = whence == RW_SEEK_SET ? 0 : whence == RW_SEEK_CUR ? (Sint64)m->pos : (Sint64)m->size;
    if (base + offset < 0 || base + offset > (Sint64)m->size)
        return -1;
    m->pos = (size_t)(base + offset);
    return (Sint64)m->pos;
}

static Sint64 SDLCALL mem_size(SDL_RWops *rw)
{
    return (Sint64)((membuf *)rw->hidden.unknown.data1)->size;
}

static int SDLCALL mem_close(SDL_RWops *rw)
{
    SDL_FreeRW(rw);
    return 0;
}

static SDL_RWops *mem_writer(membuf *m)
{
    SDL_RWops *rw = SDL_AllocRW();
    if (!rw)
        return NULL;
    rw->type = SDL_RWOPS_UNKNOWN;
    rw->size = mem_size;
    rw->seek = mem_seek;
    rw->read = mem_read;
    rw->write = mem_write;
    rw->close = mem_close;
    rw->hidden.unknown.data1 = m;
    return rw;
}

/* ---- rendering ---- */

int rs_render_parse_size(const char *text, int *w, int *h)
{
    int a, b, n = 0;
    if (!text || sscanf(text, "%d%*[xX]%d%n", &a, &b, &n) != 2 || text[n] != '\0')
        return -1;
    if (a < RS_RENDER_MIN_W || a > RS_RENDER_MAX_W || b < RS_RENDER_MIN_H || b > RS_RENDER_MAX_H)
        return -1;
    *w = a;
    *h = b;
    return 0;
}

/* Lays out and draws r onto surf. */
static rs_status draw_onto(SDL_Surface *surf, const rs_result *r, rs_error *err)
{
    rs_status st = RS_INTERNAL;
    rs_draw *d = NULL;
    rs_layout *L = malloc(sizeof *L);
    SDL_Renderer *ren = SDL_CreateSoftwareRenderer(surf);
    if (!ren) {
        rs_error_set(err, RS_INTERNAL, "", "cannot create a software renderer: %s", SDL_GetError());
        goto out;
    }
    if (!L) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        goto out;
    }
    d = rs_draw_new(ren, err);
    if (!d)
        goto out;
    rs_layout_opts o = {surf->w, surf->h, 0, 0, rs_draw_measure, d};
    rs_layout_compute(L, r, &o);
    st = rs_draw_timeline(d, L, r, err);
    SDL_RenderFlush(ren);
out:
    rs_draw_free(d);
    if (ren)
        SDL_DestroyRenderer(ren);
    free(L);
    return st;
}

rs_status rs_render_png_buffer(const rs_result *r, int w, int h, void **png, size_t *size, rs_error *err)
{
    *png = NULL;
    *size = 0;
    if (w < RS_RENDER_MIN_W || w > RS_RENDER_MAX_W || h < RS_RENDER_MIN_H || h > RS_RENDER_MAX_H)
        return rs_error_set(err, RS_BAD_INPUT, "", "picture size %dx%d is out of range (%dx%d to %dx%d)", w, h,
                            RS_RENDER_MIN_W, RS_RENDER_MIN_H, RS_RENDER_MAX_W, RS_RENDER_MAX_H);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    if (!surf)
        return rs_error_set(err, RS_INTERNAL, "", "cannot create a %dx%d picture: %s", w, h, SDL_GetError());
    rs_status st = draw_onto(surf, r, err);
    membuf m = {0};
    if (st == RS_OK) {
        SDL_RWops *rw = mem_writer(&m);
        if (!rw || IMG_SavePNG_RW(surf, rw, 1) != 0 || m.failed) {
            st = rs_error_set(err, RS_INTERNAL, "", "cannot encode the PNG: %s",
                              m.failed ? "out of memory" : IMG_GetError());
            free(m.data);
            m.data = NULL;
        }
    }
    SDL_FreeSurface(surf);
    if (st == RS_OK) {
        *png = m.data;
        *size = m.size;
    }
    return st;
}

rs_status rs_render_png(const rs_result *r, const char *path, int w, int h, rs_error *err)
{
    void *png;
    size_t size;
    rs_status st = rs_render_png_buffer(r, w, h, &png, &size, err);
    if (st != RS_OK)
        return st;
    st = rs_write_file_atomic(path, png, size, err);
    free(png);
    return st;
}
