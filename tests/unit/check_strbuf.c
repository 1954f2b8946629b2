/* The growing string every writer builds its text in: appends and formats in order, formats a piece of
 * any length whole (no fixed-size buffer in between), and hands the text over once, resetting itself. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/strbuf.h"
#include "test_util.h"

START_TEST(appends_and_formats_in_order)
{
    rs_strbuf b = {0};
    rs_strbuf_puts(&b, "<a");
    rs_strbuf_put(&b, " x=\"1\"ignored", 6);
    rs_strbuf_printf(&b, " n=\"%d\" t=\"%.3f\" s=\"%s\"", 42, 1.5, "ok");
    rs_strbuf_put(&b, "", 0);
    rs_strbuf_puts(&b, "/>");
    ck_assert_str_eq(b.p, "<a x=\"1\" n=\"42\" t=\"1.500\" s=\"ok\"/>");
    ck_assert_uint_eq(b.n, strlen(b.p));
    ck_assert(!b.failed);
    rs_strbuf_free(&b);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.n, 0);
}
END_TEST

START_TEST(a_formatted_piece_longer_than_ten_thousand_bytes_arrives_whole)
{
    enum { LONG = 12345 };
    char *big = malloc(LONG + 1);
    ck_assert_ptr_nonnull(big);
    for (int i = 0; i < LONG; i++)
        big[i] = (char)('a' + i % 26);
    big[LONG] = '\0';
    rs_strbuf b = {0};
    rs_strbuf_puts(&b, "head:");
    rs_strbuf_printf(&b, "[%s]%d", big, 7);
    rs_strbuf_puts(&b, ":tail");
    char *text = rs_strbuf_take(&b);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(strlen(text), 5 + 1 + LONG + 2 + 5);
    ck_assert(strncmp(text, "head:[", 6) == 0);
    ck_assert(memcmp(text + 6, big, LONG) == 0);
    ck_assert_str_eq(text + 6 + LONG, "]7:tail");
    free(text);
    free(big);
}
END_TEST

START_TEST(many_small_pieces_grow_the_buffer)
{
    rs_strbuf b = {0};
    for (int i = 0; i < 5000; i++)
        rs_strbuf_printf(&b, "%04d,", i % 10000);
    ck_assert_uint_eq(b.n, 5000 * 5);
    ck_assert(strncmp(b.p, "0000,0001,0002,", 15) == 0);
    ck_assert_str_eq(b.p + b.n - 5, "4999,");
    rs_strbuf_free(&b);
}
END_TEST

START_TEST(take_returns_the_text_and_resets_the_builder)
{
    rs_strbuf b = {0};
    rs_strbuf_printf(&b, "%s=%d", "one", 1);
    char *first = rs_strbuf_take(&b);
    ck_assert_str_eq(first, "one=1");
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.n, 0);
    ck_assert_uint_eq(b.cap, 0);
    ck_assert(!b.failed);
    rs_strbuf_puts(&b, "two");
    char *second = rs_strbuf_take(&b);
    ck_assert_str_eq(second, "two");
    ck_assert_str_eq(first, "one=1");
    free(first);
    free(second);
}
END_TEST

START_TEST(an_empty_builder_takes_an_empty_string)
{
    rs_strbuf b = {0};
    char *text = rs_strbuf_take(&b);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "");
    free(text);
    rs_strbuf_free(&b); /* a zeroed builder frees as a no-op */
}
END_TEST

START_TEST(a_failed_builder_ignores_appends_and_takes_null)
{
    rs_strbuf b = {0};
    rs_strbuf_puts(&b, "partial");
    rs_strbuf_fail(&b);
    ck_assert(b.failed);
    ck_assert_ptr_null(b.p);
    rs_strbuf_puts(&b, "more");
    rs_strbuf_printf(&b, "%d", 3);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.n, 0);
    ck_assert_ptr_null(rs_strbuf_take(&b));
    ck_assert(!b.failed); /* take resets: the builder can be used again */
    rs_strbuf_puts(&b, "again");
    char *text = rs_strbuf_take(&b);
    ck_assert_str_eq(text, "again");
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, appends_and_formats_in_order);
    tcase_add_test(tc, a_formatted_piece_longer_than_ten_thousand_bytes_arrives_whole);
    tcase_add_test(tc, many_small_pieces_grow_the_buffer);
    tcase_add_test(tc, take_returns_the_text_and_resets_the_builder);
    tcase_add_test(tc, an_empty_builder_takes_an_empty_string);
    tcase_add_test(tc, a_failed_builder_ignores_appends_and_takes_null);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
