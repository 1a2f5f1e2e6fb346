// SPDX-License-Identifier: MIT
/*
 * libyaml events -> a small tree of nodes with their marks. The event API
 * (rather than yaml_parser_load) lets us refuse aliases where they are
 * written and bound the nesting, so that no input can loop or blow the stack
 * of the validator that walks the tree.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

static struct ynode *node_new(enum ynode_type type, const yaml_mark_t *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->type = type;
	n->line = (int)mark->line + 1;
	n->column = (int)mark->column + 1;
	return n;
}

void suite_yaml_free(struct ynode *node)
{
	size_t i;
	if (!node)
		return;
	for (i = 0; i < node->n; i++)
		suite_yaml_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node);
}

static void node_append(struct ynode *parent, struct ynode *child)
{
	/* grow by doubling; n is a power of two exactly when the array is full */
	if (parent->n == 0 || (parent->n & (parent->n - 1)) == 0)
		parent->items = xrealloc(parent->items,
					 (parent->n ? parent->n * 2 : 1) * sizeof(*parent->items));
	parent->items[parent->n++] = child;
}

__attribute__((format(printf, 3, 4)))
static void set_mark_error(struct suite_error *err, const yaml_mark_t *mark, const char *fmt, ...)
{
	va_list ap;
	err->line = (int)mark->line + 1;
	err->column = (int)mark->column + 1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

static void parser_error(const yaml_parser_t *p, struct suite_error *err)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	if (p->error == YAML_MEMORY_ERROR) {
		err->line = err->column = 0;
		snprintf(err->message, sizeof(err->message), "out of memory while reading YAML");
	} else if (p->context) {
		set_mark_error(err, &p->problem_mark, "%s: %s", p->context, problem);
	} else {
		set_mark_error(err, &p->problem_mark, "%s", problem);
	}
}

int suite_yaml_parse(const char *text, size_t len, struct ynode **root, struct suite_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[SUITE_YAML_MAX_DEPTH];
	size_t depth = 0;
	int documents = 0, done = 0, ret = -1;

	*root = NULL;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err->message, sizeof(err->message), "cannot start the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

	while (!done) {
		struct ynode *n = NULL;
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&parser, err);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				set_mark_error(err, &ev.start_mark,
					       "a suite file holds one YAML document; a second one starts here");
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_ALIAS_EVENT:
			set_mark_error(err, &ev.start_mark,
				       "YAML aliases ('*%s') are not supported in suite files",
				       (const char *)ev.data.alias.anchor);
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT:
			n = node_new(YNODE_SCALAR, &ev.start_mark);
			n->value = xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
			n = node_new(YNODE_SEQUENCE, &ev.start_mark);
			break;
		case YAML_MAPPING_START_EVENT:
			n = node_new(YNODE_MAPPING, &ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth)
				depth--;
			break;
		default:
			break;
		}
		if (n && !depth && *root) {
			/* cannot happen: a document holds one root node */
			suite_yaml_free(n);
			n = NULL;
		}
		if (n) {
			if (depth)
				node_append(stack[depth - 1], n);
			else
				*root = n;
			if (n->type != YNODE_SCALAR) {
				if (depth == SUITE_YAML_MAX_DEPTH) {
					set_mark_error(err, &ev.start_mark,
						       "nesting deeper than %d levels", SUITE_YAML_MAX_DEPTH);
					yaml_event_delete(&ev);
					goto out;
				}
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
	}
	ret = 0;
out:
	if (ret) {
		suite_yaml_free(*root);
		*root = NULL;
	}
	yaml_parser_delete(&parser);
	return ret;
}

int suite_yaml_is_null(const struct ynode *node)
{
	if (!node)
		return 1;
	if (node->type != YNODE_SCALAR || !node->plain)
		return 0;
	return !strcmp(node->value, "") || !strcmp(node->value, "~") ||
	       !strcmp(node->value, "null") || !strcmp(node->value, "Null") ||
	       !strcmp(node->value, "NULL");
}

void suite_yaml_describe(const struct ynode *node, char *buf, size_t len)
{
	if (suite_yaml_is_null(node))
		snprintf(buf, len, "nothing");
	else if (node->type == YNODE_MAPPING)
		snprintf(buf, len, "a mapping");
	else if (node->type == YNODE_SEQUENCE)
		snprintf(buf, len, "a list");
	else if (strlen(node->value) > 40)
		snprintf(buf, len, "'%.37s...'", node->value);
	else
		snprintf(buf, len, "'%s'", node->value);
}
