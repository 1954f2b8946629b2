/* Text for the training window. The tables, logs and channel change every frame at 60×; rendering them
 * with SDL_ttf each frame would cost more than the frame has. Instead each face and size gets an atlas:
 * every glyph the window uses rendered once in white, drawn by blits tinted with the text's colour. The
 * fonts are the embedded DejaVu of engine/render. */
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

#include "fonts.h"
#include "train_int.h"

#define TX_MAX_FONTS 10
#define ATLAS_W 1024
#define N_ASCII 95 /* ' ' .. '~' */

/* Beyond ASCII: the arrows, marks and dashes the window writes. */
static const uint32_t extras[] = {0x00D7, 0x2192, 0x2190, 0x2191, 0x2193, 0x2026, 0x00B7, 0x2022, 0x25B8,
                                  0x25B6, 0x25CF, 0x25CB, 0x2713, 0x2717, 0x2014, 0x2013, 0x2265, 0x2264,
                                  0x00B1, 0x00B0, 0x00B5, 0x2588, 0x2591, 0x25B2, 0x25BC, 0x26A0, 0x21E7,
                                  0x2502, 0x2500, 0x25A0, 0x21B5, 0x2039, 0x203A, 0x00AB, 0x00BB, 0x2715,
                                  0x2261, 0x2303, 0x238B, 0x2325, 0x00E9, 0x2019, 0x201C, 0x201D, 0x25D0, 0x2212, 0x258C};
#define N_EXTRAS (sizeof extras / sizeof extras[0])
#define N_GLYPHS (N_ASCII + N_EXTRAS)

typedef struct {
    SDL_Rect src;    /* in the atlas; w == 0 for a glyph without pixels (space) */
    int dx;          /* offset of the bitmap from the pen */
    int adv;         /* pen advance; -1 when the font lacks the glyph */
} glyph;

struct tx_font {
    rs_face face;
    int px;
    TTF_Font *ttf;
    SDL_Renderer *ren;
    SDL_Texture *atlas;
    int line_h;
    uint64_t used;   /* for eviction */
    glyph g[N_GLYPHS];
};

struct tx_ctx {
    SDL_Renderer *ren;
    int n;
    uint64_t tick;
    tx_font *fonts[TX_MAX_FONTS];
};

tx_ctx *tx_new(SDL_Renderer *ren, rs_error *err)
{
    if (TTF_Init() != 0) {
        rs_error_set(err, RS_INTERNAL, "", "cannot start SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    tx_ctx *t = calloc(1, sizeof *t);
    if (!t) {
        TTF_Quit();
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        return NULL;
    }
    t->ren = ren;
    return t;
}

static void font_free(tx_font *f)
{
    if (!f)
        return;
    if (f->atlas)
        SDL_DestroyTexture(f->atlas);
    if (f->ttf)
        TTF_CloseFont(f->ttf);
    free(f);
}

void tx_free(tx_ctx *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        font_free(t->fonts[i]);
    free(t);
    TTF_Quit();
}

static uint32_t codepoint_of(size_t i)
{
    return i < N_ASCII ? (uint32_t)(' ' + i) : extras[i - N_ASCII];
}

static size_t glyph_index(uint32_t cp)
{
    if (cp >= ' ' && cp <= '~')
        return cp - ' ';
    for (size_t i = 0; i < N_EXTRAS; i++)
        if (extras[i] == cp)
            return N_ASCII + i;
    return '?' - ' ';
}

/* Renders every glyph in white into one surface, then one texture. */
static int build_atlas(tx_ctx *t, tx_font *f)
{
    SDL_Surface *glyphs[N_GLYPHS] = {0};
    int x = 0, y = 0, row_h = f->line_h, rc = -1;
    for (size_t i = 0; i < N_GLYPHS; i++) {
        uint32_t cp = codepoint_of(i);
        int minx, maxx, miny, maxy, adv;
        glyph *g = &f->g[i];
        g->adv = -1;
        if (!TTF_GlyphIsProvided32(f->ttf, cp) || TTF_GlyphMetrics32(f->ttf, cp, &minx, &maxx, &miny, &maxy, &adv) != 0)
            continue;
        g->adv = adv;
        g->dx = minx < 0 ? minx : 0;
        if (cp == ' ')
            continue;
        glyphs[i] = TTF_RenderGlyph32_Blended(f->ttf, cp, (SDL_Color){255, 255, 255, 255});
        if (!glyphs[i])
            continue;
        if (x + glyphs[i]->w > ATLAS_W) {
            x = 0;
            y += row_h + 1;
        }
        g->src = (SDL_Rect){x, y, glyphs[i]->w, glyphs[i]->h};
        row_h = glyphs[i]->h > row_h ? glyphs[i]->h : row_h;
        x += glyphs[i]->w + 1;
    }
    SDL_Surface *atlas = SDL_CreateRGBSurfaceWithFormat(0, ATLAS_W, y + row_h + 1, 32, SDL_PIXELFORMAT_ARGB8888);
    if (atlas) {
        SDL_FillRect(atlas, NULL, 0);
        for (size_t i = 0; i < N_GLYPHS; i++)
            if (glyphs[i]) {
                SDL_SetSurfaceBlendMode(glyphs[i], SDL_BLENDMODE_NONE);
                SDL_BlitSurface(glyphs[i], NULL, atlas, &f->g[i].src);
            }
        f->atlas = SDL_CreateTextureFromSurface(t->ren, atlas);
        if (f->atlas) {
            SDL_SetTextureBlendMode(f->atlas, SDL_BLENDMODE_BLEND);
            rc = 0;
        }
        SDL_FreeSurface(atlas);
    }
    for (size_t i = 0; i < N_GLYPHS; i++)
        SDL_FreeSurface(glyphs[i]);
    return rc;
}

static tx_font *font_open(tx_ctx *t, rs_face face, int px)
{
    tx_font *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->face = face;
    f->px = px;
    f->ren = t->ren;
    size_t size;
    const unsigned char *data = rs__font_data(face, &size);
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)size);
    f->ttf = rw ? TTF_OpenFontRW(rw, 1, px) : NULL;
    if (!f->ttf) {
        font_free(f);
        return NULL;
    }
    f->line_h = TTF_FontHeight(f->ttf);
    if (build_atlas(t, f) != 0) {
        font_free(f);
        return NULL;
    }
    return f;
}

tx_font *tx_font_get(tx_ctx *t, rs_face face, int px)
{
    if (px < 6)
        px = 6;
    t->tick++;
    for (int i = 0; i < t->n; i++)
        if (t->fonts[i]->face == face && t->fonts[i]->px == px) {
            t->fonts[i]->used = t->tick;
            return t->fonts[i];
        }
    tx_font *f = font_open(t, face, px);
    if (!f)
        return t->n ? t->fonts[0] : NULL; /* never NULL once one font opened */
    f->used = t->tick;
    if (t->n == TX_MAX_FONTS) { /* a window resized many times: drop the least recently used */
        int old = 0;
        for (int i = 1; i < t->n; i++)
            if (t->fonts[i]->used < t->fonts[old]->used)
                old = i;
        font_free(t->fonts[old]);
        t->fonts[old] = f;
    } else {
        t->fonts[t->n++] = f;
    }
    return f;
}

int tx_line_h(const tx_font *f) { return f ? f->line_h : 0; }

/* Decodes one UTF-8 character at *s and advances; malformed bytes read as '?'. */
static uint32_t next_cp(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t cp;
    int n;
    if (p[0] < 0x80) {
        cp = p[0];
        n = 1;
    } else if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
        cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
        n = 2;
    } else if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
        cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
        n = 3;
    } else if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
        cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 | (uint32_t)(p[2] & 0x3f) << 6 |
             (p[3] & 0x3f);
        n = 4;
    } else {
        cp = '?';
        n = 1;
    }
    *s += n;
    return cp;
}

static const glyph *glyph_of(const tx_font *f, uint32_t cp)
{
    const glyph *g = &f->g[glyph_index(cp)];
    return g->adv >= 0 ? g : &f->g['?' - ' '];
}

int tx_width(const tx_font *f, const char *s)
{
    int w = 0;
    if (!f)
        return 0;
    while (*s)
        w += glyph_of(f, next_cp(&s))->adv;
    return w;
}

size_t tx_fit(const tx_font *f, const char *s, int max_w, bool words)
{
    const char *p = s, *brk = NULL;
    int w = 0;
    while (*p) {
        const char *at = p;
        int adv = glyph_of(f, next_cp(&p))->adv;
        if (w + adv > max_w) {
            if (words && brk)
                return (size_t)(brk - s);
            return (size_t)(at - s);
        }
        w += adv;
        if (*at == ' ')
            brk = at;
    }
    return (size_t)(p - s);
}

static int draw_n(tx_font *f, int x, int y, const char *s, size_t n, SDL_Renderer *ren)
{
    const char *p = s, *end = s + n;
    int pen = x;
    while (p < end && *p) {
        const glyph *g = glyph_of(f, next_cp(&p));
        if (g->src.w > 0) {
            SDL_Rect dst = {pen + g->dx, y, g->src.w, g->src.h};
            SDL_RenderCopy(ren, f->atlas, &g->src, &dst);
        }
        pen += g->adv;
    }
    return pen - x;
}

static void tint(tx_font *f, uint32_t c)
{
    SDL_SetTextureColorMod(f->atlas, (Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8));
    SDL_SetTextureAlphaMod(f->atlas, (Uint8)c);
}

int tx_draw(tx_font *f, int x, int y, const char *s, uint32_t color)
{
    if (!f || !s)
        return 0;
    tint(f, color);
    return draw_n(f, x, y, s, strlen(s), f->ren);
}

int tx_draw_fit(tx_font *f, int x, int y, const char *s, uint32_t color, int max_w)
{
    if (!f || !s || max_w <= 0)
        return 0;
    if (tx_width(f, s) <= max_w)
        return tx_draw(f, x, y, s, color);
    int ell = tx_width(f, "…");
    size_t n = tx_fit(f, s, max_w - ell, false);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    tint(f, color);
    int w = draw_n(f, x, y, s, n, f->ren);
    return w + draw_n(f, x + w, y, "…", strlen("…"), f->ren);
}
