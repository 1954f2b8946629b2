/* Every command of the training window with its key, the label its button shows and its line in the help
 * overlay: one table, so a button, its key and the help can never disagree (docs/training.md lists it). */
#include "train_int.h"

static const cmd_info cmds[] = {
    {CMD_TIME_PAUSE, GRP_TIME, SDLK_SPACE, 0, "Space", "Pause", "pause or resume simulated time"},
    {CMD_SPEED_1, GRP_TIME, SDLK_1, 0, "1", "1×", "real time"},
    {CMD_SPEED_10, GRP_TIME, SDLK_2, 0, "2", "10×", "ten times real time"},
    {CMD_SPEED_60, GRP_TIME, SDLK_3, 0, "3", "60×", "a minute per second (the pager drops it back to 1×)"},

    {CMD_ACK, GRP_RESPOND, SDLK_a, 0, "A", "Ack", "acknowledge the page (stops the escalation)"},
    {CMD_NOTE, GRP_RESPOND, SDLK_n, 0, "N", "Note", "write to the incident channel"},
    {CMD_ROLLBACK, GRP_RESPOND, SDLK_u, 0, "U", "Roll back…",
     "rollout undo (to a chosen revision), canary abort, blue-green switch back"},
    {CMD_PAUSE_ROLLOUT, GRP_RESPOND, SDLK_p, 0, "P", "Pause rollout", "kubectl rollout pause / resume"},
    {CMD_PROMOTE, GRP_RESPOND, SDLK_o, 0, "O", "Promote", "promote the canary or the blue-green preview"},
    {CMD_WEIGHT, GRP_RESPOND, SDLK_v, 0, "V", "Weight…", "set the canary's traffic weight"},
    {CMD_HOTFIX, GRP_RESPOND, SDLK_f, 0, "F", "Hotfix…", "build and deploy a fixed version (forward fix)"},
    {CMD_CONFIG_FIX, GRP_RESPOND, SDLK_c, 0, "C", "Config fix", "update the config map and restart the pods"},
    {CMD_RESTART, GRP_RESPOND, SDLK_r, 0, "R", "Restart", "kubectl rollout restart"},
    {CMD_SCALE, GRP_RESPOND, SDLK_s, 0, "S", "Scale…", "kubectl scale --replicas"},
    {CMD_DATABASE, GRP_RESPOND, SDLK_d, 0, "D", "Database…", "back up or restore a table, run a down migration"},
    {CMD_ESCALATE, GRP_RESPOND, SDLK_e, 0, "E", "Escalate…", "hand over to another team"},
    {CMD_WAIT, GRP_RESPOND, SDLK_w, 0, "W", "Wait", "decide to wait and watch (a judged decision)"},
    {CMD_RESOLVE, GRP_RESPOND, SDLK_x, 0, "X", "Resolve…", "declare the incident resolved (ends the drill)"},

    {CMD_PODS, GRP_INVESTIGATE, SDLK_g, 0, "G", "get pods", "kubectl get pods (live)"},
    {CMD_LOGS, GRP_INVESTIGATE, SDLK_l, 0, "L", "logs", "kubectl logs: of the selected pod, else the deployment (45 s)"},
    {CMD_HISTORY, GRP_INVESTIGATE, SDLK_h, 0, "H", "history", "kubectl rollout history (15 s)"},
    {CMD_NEXT_TAB, GRP_INVESTIGATE, SDLK_TAB, 0, "Tab", "next tab", "cycle pods, logs, history; ↑↓ PgUp PgDn scroll"},

    {CMD_HELP, GRP_WINDOW, SDLK_QUESTION, SDLK_F1, "?", "Help", "this overlay (also F1)"},
    {CMD_SHOT, GRP_WINDOW, SDLK_F12, 0, "F12", "Screenshot", "save the window as a PNG"},
    {CMD_QUIT, GRP_WINDOW, SDLK_ESCAPE, 0, "Esc", "End drill", "close a dialog; else end the drill (asks first)"},

    {CMD_DEBRIEF_PAGE, GRP_DEBRIEF, SDLK_TAB, 0, "Tab", "Timeline", "switch between the summary and the timeline"},
    {CMD_SAVE_PNG, GRP_DEBRIEF, SDLK_s, 0, "S", "Save PNG", "save the timeline picture (1920×1080)"},
    {CMD_SAVE_REPORT, GRP_DEBRIEF, SDLK_w, 0, "W", "Write report", "write the post-incident report (Markdown)"},
};

#define N_CMDS (sizeof cmds / sizeof cmds[0])

const cmd_info *cmd_get(cmd_id id)
{
    for (size_t i = 0; i < N_CMDS; i++)
        if (cmds[i].id == id)
            return &cmds[i];
    return NULL;
}

cmd_id cmd_of_key(SDL_Keycode key, Uint16 mod, bool debrief)
{
    if (mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI))
        return CMD_NONE;
    if (key == SDLK_SLASH && (mod & KMOD_SHIFT)) /* '?' on layouts where it is shift+/ */
        key = SDLK_QUESTION;
    for (size_t i = 0; i < N_CMDS; i++) {
        const cmd_info *c = &cmds[i];
        bool phase_ok = debrief ? (c->group == GRP_DEBRIEF || c->group == GRP_WINDOW) : c->group != GRP_DEBRIEF;
        if (phase_ok && (c->key == key || (c->alt && c->alt == key)))
            return c->id;
    }
    if (key == SDLK_KP_1)
        return debrief ? CMD_NONE : CMD_SPEED_1;
    if (key == SDLK_q && debrief)
        return CMD_QUIT;
    return CMD_NONE;
}
