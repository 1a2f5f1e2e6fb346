// SPDX-License-Identifier: MIT
/*
 * N /api/generate transfers at once (see ollama.h): one multi handle, one
 * easy handle per slot, each transfer an ollama_gen_xfer, as ollama_generate
 * runs one, driven by ollama_xfer_drive, as ollama_generate drives one. What
 * is here is only the slots: which transfer runs where, and whom to tell
 * when it ends.
 */
#include "ollama.h"

#include <stdlib.h>

#include "ollama_http.h"
#include "util.h"
#include "banned.h"

struct multi_slot {
	struct ollama_gen_xfer g;
	CURL *easy;
};

struct ollama_multi {
	struct ollama_client *c;
	CURLM *multi;
	struct multi_slot *slot;
	struct ollama_xfer **xs; /* &slot[i].g.x, for ollama_xfer_drive */
	int n;
	ollama_multi_done_fn done;
	void *ud;
};

struct ollama_multi *ollama_multi_new(struct ollama_client *c, int slots)
{
	struct ollama_multi *m;
	int i;

	if (slots < 1)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->c = c;
	m->n = slots;
	m->multi = curl_multi_init();
	m->slot = xcalloc((size_t)slots, sizeof(*m->slot));
	m->xs = xcalloc((size_t)slots, sizeof(*m->xs));
	for (i = 0; i < slots; i++) {
		m->slot[i].easy = curl_easy_init();
		m->xs[i] = &m->slot[i].g.x;
		if (!m->slot[i].easy)
			break;
	}
	if (!m->multi || i < slots) {
		ollama_multi_free(m);
		return NULL;
	}
	return m;
}

void ollama_multi_free(struct ollama_multi *m)
{
	int i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		struct multi_slot *s = &m->slot[i];
		if (s->g.x.active) {
			/* started but never run: drop it */
			curl_multi_remove_handle(m->multi, s->easy);
			curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, NULL);
			curl_slist_free_all(s->g.x.headers);
			s->g.x.headers = NULL;
			s->g.x.active = 0;
			s->g.x.ret = -1;
			ollama_gen_xfer_finish(&s->g);
		}
		if (s->easy)
			curl_easy_cleanup(s->easy);
	}
	if (m->multi)
		curl_multi_cleanup(m->multi);
	free(m->slot);
	free(m->xs);
	free(m);
}

int ollama_multi_slots(const struct ollama_multi *m)
{
	return m->n;
}

int ollama_multi_busy(const struct ollama_multi *m, int slot)
{
	return slot >= 0 && slot < m->n && m->slot[slot].g.x.active;
}

int ollama_multi_start(struct ollama_multi *m, int slot, const struct ollama_gen_request *req,
		       struct ollama_gen_result *res, struct ollama_error *err)
{
	if (slot < 0 || slot >= m->n || m->slot[slot].g.x.active) {
		ollama_error_set(err, OLLAMA_ERR_BAD_REQUEST, 0,
				 "slot %d of %d is %s", slot, m->n,
				 slot < 0 || slot >= m->n ? "not there" : "busy");
		return -1;
	}
	return ollama_gen_xfer_start(&m->slot[slot].g, m->c, m->multi, m->slot[slot].easy, req,
				     res, err);
}

static void on_end(struct ollama_xfer *x, void *ud)
{
	struct ollama_multi *m = ud;
	struct ollama_gen_xfer *g = x->ud;
	int slot = (int)((struct multi_slot *)(void *)g - m->slot);
	int rc = ollama_gen_xfer_finish(g);

	if (m->done)
		m->done(m, slot, rc, m->ud);
}

int ollama_multi_run(struct ollama_multi *m, ollama_multi_done_fn done, void *ud)
{
	int ret;

	m->done = done;
	m->ud = ud;
	ret = ollama_xfer_drive(m->multi, m->xs, (size_t)m->n, on_end, m);
	m->done = NULL;
	m->ud = NULL;
	return ret;
}
