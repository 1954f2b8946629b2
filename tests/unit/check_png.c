/* The PNG timeline end to end: three shipped scenarios render like their golden images (within a
 * tolerance that forgives font hinting but not a missing lane), rendering needs no display, the bytes are
 * the same for the same result, and files are written atomically.
 * Regenerate the goldens after an intended change of the picture:
 *     ROLLSIM_UPDATE_GOLDEN=1 ./build/tests/check_png      (then look at tests/golden/png/ and commit) */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "rollsim/io.h"
#include "rollsim/render.h"
#include "rollsim/sim.h"
#include "test_util.h"

#define GOLDEN_W 1280
#define GOLDEN_H 720
#define MAX_MEAN_DIFF 2.0     /* mean absolute difference per channel, 0..255 */
#define MAX_BAD_FRACTION 0.01 /* pixels with a channel off by more than BAD_DIFF */
#define BAD_DIFF 32

static void *render(const rs_result *r, int w, int h, size_t *size)
{
    void *png = NULL;
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_render_png_buffer(r, w, h, &png, size, &err);
    ck_assert_msg(st == RS_OK, "render failed: %s", err.message);
    return png;
}

/* Decodes a PNG into 32-bit RGB. */
static SDL_Surface *decode(SDL_Surface *s)
{
    ck_assert_msg(s != NULL, "cannot decode PNG: %s", IMG_GetError());
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB888, 0);
    SDL_FreeSurface(s);
    ck_assert_ptr_nonnull(c);
    return c;
}

typedef struct {
    double mean[3];
    double bad_fraction;
    int x0, y0, x1, y1;          /* bounding box of the bad pixels */
    int tile_x, tile_y, tile_bad; /* the 64×64 tile with the most bad pixels */
} diff;

static void compare(SDL_Surface *a, SDL_Surface *b, diff *d)
{
    memset(d, 0, sizeof *d);
    d->x0 = a->w, d->y0 = a->h, d->x1 = d->y1 = -1;
    int tiles_x = (a->w + 63) / 64, tiles_y = (a->h + 63) / 64;
    int *tiles = calloc((size_t)(tiles_x * tiles_y), sizeof *tiles);
    long bad = 0;
    double sum[3] = {0, 0, 0};
    for (int y = 0; y < a->h; y++) {
        const Uint32 *pa = (const Uint32 *)((const Uint8 *)a->pixels + y * a->pitch);
        const Uint32 *pb = (const Uint32 *)((const Uint8 *)b->pixels + y * b->pitch);
        for (int x = 0; x < a->w; x++) {
            int worst = 0;
            for (int c = 0; c < 3; c++) {
                int da = abs((int)((pa[x] >> (8 * c)) & 0xff) - (int)((pb[x] >> (8 * c)) & 0xff));
                sum[c] += da;
                worst = da > worst ? da : worst;
            }
            if (worst > BAD_DIFF) {
                bad++;
                tiles[(y / 64) * tiles_x + x / 64]++;
                d->x0 = x < d->x0 ? x : d->x0, d->x1 = x > d->x1 ? x : d->x1;
                d->y0 = y < d->y0 ? y : d->y0, d->y1 = y > d->y1 ? y : d->y1;
            }
        }
    }
    for (int i = 0; i < tiles_x * tiles_y; i++)
        if (tiles[i] > d->tile_bad)
            d->tile_bad = tiles[i], d->tile_x = (i % tiles_x) * 64, d->tile_y = (i / tiles_x) * 64;
    free(tiles);
    double n = (double)a->w * a->h;
    for (int c = 0; c < 3; c++)
        d->mean[c] = sum[c] / n;
    d->bad_fraction = (double)bad / n;
}

static bool update_goldens(void)
{
    const char *v = getenv("ROLLSIM_UPDATE_GOLDEN");
    return v && strcmp(v, "1") == 0;
}

static const char *const golden_scenarios[] = {"seed-incident", "memory-leak", "healthy-release"};

START_TEST(shipped_scenarios_render_like_their_goldens)
{
    const char *name = golden_scenarios[_i];
    char golden[512], actual[600], cwd[400];
    snprintf(golden, sizeof golden, "%s/tests/golden/png/%s.png", RS_SOURCE_DIR, name);
    tu_played *x = tu_play(name);
    size_t size;
    void *png = render(rs_sim_result(x->sim), GOLDEN_W, GOLDEN_H, &size);
    rs_error err;
    if (update_goldens()) {
        ck_assert_int_eq(rs_write_file_atomic(golden, png, size, &err), RS_OK);
        fprintf(stderr, "check_png: wrote %s\n", golden);
    }
    SDL_Surface *want = IMG_Load(golden);
    ck_assert_msg(want != NULL, "no golden %s (%s): run ROLLSIM_UPDATE_GOLDEN=1 check_png", golden, IMG_GetError());
    want = decode(want);
    SDL_Surface *got = decode(IMG_Load_RW(SDL_RWFromConstMem(png, (int)size), 1));
    ck_assert_int_eq(got->w, want->w);
    ck_assert_int_eq(got->h, want->h);
    diff d;
    compare(got, want, &d);
    bool ok = d.mean[0] < MAX_MEAN_DIFF && d.mean[1] < MAX_MEAN_DIFF && d.mean[2] < MAX_MEAN_DIFF &&
              d.bad_fraction < MAX_BAD_FRACTION;
    if (!ok) {
        snprintf(actual, sizeof actual, "%s/png-actual-%s.png", getcwd(cwd, sizeof cwd) ? cwd : ".", name);
        rs_write_file_atomic(actual, png, size, &err);
        fprintf(stderr,
                "check_png: %s differs from %s: mean diff %.2f/%.2f/%.2f, %.2f%% of pixels off by > %d, in "
                "x %d..%d y %d..%d, most in the 64x64 tile at (%d,%d); actual image: %s\n",
                name, golden, d.mean[2], d.mean[1], d.mean[0], d.bad_fraction * 100, BAD_DIFF, d.x0, d.x1, d.y0,
                d.y1, d.tile_x, d.tile_y, actual);
    }
    ck_assert_msg(ok, "%s: the picture differs from its golden (see stderr)", name);
    SDL_FreeSurface(got);
    SDL_FreeSurface(want);
    free(png);
    tu_played_free(x);
}
END_TEST

START_TEST(rendering_needs_no_display)
{
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    unsetenv("SDL_VIDEODRIVER");
    tu_played *x = tu_play("seed-incident");
    size_t size;
    void *png = render(rs_sim_result(x->sim), 3840, 2160, &size);
    ck_assert_uint_gt(size, 8);
    ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    SDL_Surface *s = decode(IMG_Load_RW(SDL_RWFromConstMem(png, (int)size), 1));
    ck_assert_int_eq(s->w, 3840);
    ck_assert_int_eq(s->h, 2160);
    ck_assert_int_eq(SDL_WasInit(SDL_INIT_VIDEO), 0);
    SDL_FreeSurface(s);
    free(png);
    tu_played_free(x);
}
END_TEST

START_TEST(the_same_result_gives_the_same_bytes)
{
    tu_played *x = tu_play("memory-leak");
    size_t na, nb;
    void *a = render(rs_sim_result(x->sim), 1280, 720, &na);
    void *b = render(rs_sim_result(x->sim), 1280, 720, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(a, b, na), 0);
    free(a);
    free(b);
    tu_played_free(x);
}
END_TEST

START_TEST(a_png_file_is_written_atomically)
{
    char dir[] = "/tmp/rollsim-png-XXXXXX", path[64], tmpl[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/incident.png", dir);
    tu_played *x = tu_play("healthy-release");
    rs_error err;
    ck_assert_int_eq(rs_render_png(rs_sim_result(x->sim), path, 960, 540, &err), RS_OK);
    SDL_Surface *s = decode(IMG_Load(path));
    ck_assert_int_eq(s->w, 960);
    SDL_FreeSurface(s);
    snprintf(tmpl, sizeof tmpl, "%s/missing/incident.png", dir);
    ck_assert_int_eq(rs_render_png(rs_sim_result(x->sim), tmpl, 960, 540, &err), RS_INTERNAL);
    ck_assert_ptr_nonnull(strstr(err.message, tmpl));
    ck_assert_int_eq(rs_render_png(rs_sim_result(x->sim), path, 10, 10, &err), RS_BAD_INPUT);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0); /* no temporary file left behind */
    tu_played_free(x);
}
END_TEST

START_TEST(sizes_parse_as_width_x_height)
{
    int w = 0, h = 0;
    ck_assert_int_eq(rs_render_parse_size("1920x1080", &w, &h), 0);
    ck_assert_int_eq(w, 1920);
    ck_assert_int_eq(h, 1080);
    ck_assert_int_eq(rs_render_parse_size("3840X2160", &w, &h), 0);
    ck_assert_int_eq(rs_render_parse_size("1920", &w, &h), -1);
    ck_assert_int_eq(rs_render_parse_size("1920x1080px", &w, &h), -1);
    ck_assert_int_eq(rs_render_parse_size("100x100", &w, &h), -1);
    ck_assert_int_eq(rs_render_parse_size("99999x1080", &w, &h), -1);
}
END_TEST

static Suite *png_suite(void)
{
    Suite *s = suite_create("png");
    TCase *golden = tcase_create("golden");
    tcase_add_loop_test(golden, shipped_scenarios_render_like_their_goldens, 0,
                        (int)(sizeof golden_scenarios / sizeof golden_scenarios[0]));
    suite_add_tcase(s, golden);
    TCase *file = tcase_create("file");
    tcase_add_test(file, rendering_needs_no_display);
    tcase_add_test(file, the_same_result_gives_the_same_bytes);
    tcase_add_test(file, a_png_file_is_written_atomically);
    tcase_add_test(file, sizes_parse_as_width_x_height);
    suite_add_tcase(s, file);
    return s;
}

int main(void)
{
    return tu_run(png_suite());
}
