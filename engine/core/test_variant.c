/* A scenario's test variants (`rollsim test`, docs/testing.md): a variant is the scenario with other
 * policies and some expectations replaced, added or removed. */
#include "rollsim/scenario.h"

#include <string.h>

_Static_assert(RS_EXP_KIND_COUNT <= 32, "rs_test_variant.drop holds one bit per expectation kind");

static int find_kind(const rs_scenario *s, rs_expect_kind k)
{
    for (int i = 0; i < s->n_expect; i++)
        if (s->expect[i].kind == k)
            return i;
    return -1;
}

rs_status rs_scenario_apply_variant(rs_scenario *s, int i, rs_error *err)
{
    if (i < 0 || i >= s->test.n_variants)
        return rs_error_set(err, RS_BAD_INPUT, "", "no test variant %d", i);
    const rs_test_variant *v = &s->test.variants[i];
    if (v->has_policies) {
        s->n_policies = v->n_policies;
        memcpy(s->policies, v->policies, sizeof s->policies);
    }
    int n = 0; /* the scenario's expectations, in order, without the dropped kinds */
    for (int k = 0; k < s->n_expect; k++)
        if (!(v->drop & (1u << s->expect[k].kind)))
            s->expect[n++] = s->expect[k];
    s->n_expect = n;
    for (int k = 0; k < v->n_expect; k++) {
        int at = find_kind(s, v->expect[k].kind);
        if (at < 0 && s->n_expect == RS_MAX_EXPECT)
            return rs_error_set(err, RS_BAD_INPUT, "", "variant '%s': more than %d expectations", v->name,
                                RS_MAX_EXPECT);
        s->expect[at >= 0 ? at : s->n_expect++] = v->expect[k];
    }
    if (v->has_at) {
        s->n_at = v->n_at;
        memcpy(s->at, v->at, sizeof s->at);
    }
    if (s->n_expect + s->n_at > RS_MAX_EXPECT)
        return rs_error_set(err, RS_BAD_INPUT, "", "variant '%s': %d expectations and %d \"at\" items; at most %d in all",
                            v->name, s->n_expect, s->n_at, RS_MAX_EXPECT);
    return RS_OK;
}
