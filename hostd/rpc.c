/* JSON-RPC 2.0: request validation, dispatch through the method table, replies now or later. */
#include "rpc.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The responses of one batch are sent together, once its last call is answered. */
struct rpc_batch {
	struct rpc_client *client;
	json_object *responses;
	size_t pending;
	size_t bytes;  /* of the responses so far */
	bool overflow; /* past RPC_MAX_BATCH_REPLY: one error replaces them all */
};

struct rpc_call {
	struct rpc_client *client;
	struct rpc_batch *batch;
	json_object *id; /* NULL stands for JSON null */
	bool notification; /* no id member: nobody hears the reply */
	const struct method_spec *spec;
	struct vm *vm;
	bool replied;
};

static const struct rpc_method *rpc_methods;
static struct vm *(*rpc_find_vm)(void *ctx, const char *ref);
static void *rpc_ctx;

void rpc_setup(const struct rpc_method *methods, struct vm *(*find_vm)(void *ctx, const char *ref),
	       void *ctx)
{
	rpc_methods = methods;
	rpc_find_vm = find_vm;
	rpc_ctx = ctx;
	/* Every method of the contract has a handler and every handler a contract entry. */
	for (const struct method_spec *m = api_methods; m->name; m++) {
		const struct rpc_method *h = methods;

		while (h->name && strcmp(h->name, m->name) != 0) {
			h++;
		}
		if (!h->name) {
			log_error("bug: method %s of the API has no handler", m->name);
			abort();
		}
	}
	for (const struct rpc_method *h = methods; h->name; h++) {
		if (!params_find_method(h->name)) {
			log_error("bug: handler %s is not in the API", h->name);
			abort();
		}
	}
}

void *rpc_call_ctx(struct rpc_call *call)
{
	return rpc_ctx;
}

struct vm *rpc_call_vm(struct rpc_call *call)
{
	return call->vm;
}

struct rpc_client *rpc_call_client(struct rpc_call *call)
{
	return call->client;
}

const char *rpc_call_method(struct rpc_call *call)
{
	return call->spec ? call->spec->name : "";
}

bool rpc_call_batched(struct rpc_call *call)
{
	return call->batch != NULL;
}

static void send_json(struct rpc_client *c, json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	_cleanup_free_ char *line = malloc(len + 1);

	if (!line) {
		abort();
	}
	memcpy(line, s, len);
	line[len] = '\n';
	c->send(c, line, len + 1);
}

static json_object *error_response(json_object *id, int code, json_object *data, const char *msg);

static void batch_finish_one(struct rpc_batch *b)
{
	if (--b->pending > 0) {
		return;
	}
	if (b->overflow) {
		json_object_put(b->responses);
		b->responses = json_object_new_array();
		json_object_array_add(b->responses, error_response(NULL, RPC_RESOURCE_EXHAUSTED, NULL,
			"the replies of the batch exceed " RPC_MAX_BATCH_REPLY_STR "; send fewer requests at once"));
	}
	/* A batch of notifications only gets no reply at all. */
	if (json_object_array_length(b->responses) > 0) {
		send_json(b->client, b->responses);
	}
	json_object_put(b->responses);
	b->client->unref(b->client);
	free(b);
}

/* Deliver a response object (owned) for call, and free the call. */
static void call_complete(struct rpc_call *call, json_object *response)
{
	if (call->replied) {
		log_error("bug: second reply to %s", rpc_call_method(call));
		abort();
	}
	call->replied = true;
	if (call->notification) {
		json_object_put(response);
	} else if (call->batch) {
		size_t len;

		/* Replies wait in memory until the batch ends: past the budget, keep none of them. */
		json_object_to_json_string_length(response, JSON_C_TO_STRING_PLAIN, &len);
		call->batch->bytes += len;
		call->batch->overflow |= call->batch->bytes > RPC_MAX_BATCH_REPLY;
		if (call->batch->overflow) {
			json_object_put(response);
		} else {
			json_object_array_add(call->batch->responses, response);
		}
	} else {
		send_json(call->client, response);
		json_object_put(response);
	}
	if (call->batch) {
		batch_finish_one(call->batch);
	}
	json_object_put(call->id);
	call->client->unref(call->client);
	free(call);
}

static json_object *response_new(json_object *id)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
	return r;
}

void rpc_reply(struct rpc_call *call, json_object *result)
{
	json_object *r = response_new(call->id);

	json_object_object_add(r, "result", result ? result : json_object_new_object());
	call_complete(call, r);
}

static json_object *error_response(json_object *id, int code, json_object *data, const char *msg)
{
	json_object *r = response_new(id), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	if (data) {
		json_object_object_add(e, "data", data);
	}
	json_object_object_add(r, "error", e);
	return r;
}

void rpc_fail(struct rpc_call *call, int code, json_object *data, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		abort();
	}
	va_end(ap);
	call_complete(call, error_response(call->id, code, data, msg));
}

static struct rpc_call *call_new(struct rpc_client *c, struct rpc_batch *b, json_object *id)
{
	struct rpc_call *call = util_xcalloc(1, sizeof(*call));

	call->client = c;
	c->ref(c);
	call->batch = b;
	if (b) {
		b->pending++;
	}
	call->id = id ? json_object_get(id) : NULL;
	return call;
}

/* A JSON string holding exactly want: an embedded NUL (\u0000) must not cut it short. */
static bool string_is(json_object *v, const char *want)
{
	return json_object_is_type(v, json_type_string) &&
	       (size_t)json_object_get_string_len(v) == strlen(want) &&
	       strcmp(json_object_get_string(v), want) == 0;
}

static bool string_plain(json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       (size_t)json_object_get_string_len(v) == strlen(json_object_get_string(v));
}

static bool id_valid(json_object *id)
{
	/* String, number or null; fractional numbers are allowed by the spec, merely discouraged. */
	return !id || json_object_is_type(id, json_type_string) ||
	       json_object_is_type(id, json_type_int) || json_object_is_type(id, json_type_double);
}

static void log_mutation(struct rpc_call *call, json_object *params)
{
	struct ucred *u = &call->client->cred;

	log_info("%s by pid %d uid %d gid %d: %s", call->spec->name, (int)u->pid, (int)u->uid,
		 (int)u->gid, params ? json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN) : "{}");
}

/* Checks in the order the contract gives them, then the handler. */
static void dispatch(struct rpc_call *call, const char *method, json_object *params)
{
	const struct rpc_method *h = rpc_methods;
	_cleanup_free_ char *msg = NULL;
	const char *bad_param, *ref;
	int r;

	call->spec = params_find_method(method);
	while (call->spec && h->name && strcmp(h->name, method) != 0) {
		h++;
	}
	if (!call->spec || !h->name) {
		rpc_fail(call, RPC_METHOD_NOT_FOUND, NULL, "method '%s' not found", method);
		return;
	}
	if (params_check(call->spec, params, &msg, &bad_param) < 0) {
		json_object *data = json_object_new_object();

		json_object_object_add(data, "param", json_object_new_string(bad_param));
		rpc_fail(call, RPC_INVALID_PARAMS, data, "%s", msg);
		return;
	}
	if (call->spec->mutating && call->client->read_only) {
		rpc_fail(call, RPC_PERMISSION_DENIED, NULL, "method '%s' is not allowed on the read-only socket",
			 method);
		return;
	}
	ref = params_str(params, "vm", NULL);
	if (ref) {
		call->vm = rpc_find_vm(rpc_ctx, ref);
		if (!call->vm) {
			rpc_fail(call, RPC_NOT_FOUND, NULL, "VM '%s' not found", ref);
			return;
		}
	}
	if (call->batch && call->batch->overflow) {
		rpc_fail(call, RPC_RESOURCE_EXHAUSTED, NULL, "not run: the batch's replies exceed its budget");
		return;
	}
	if (call->spec->mutating) {
		log_mutation(call, params);
	}
	r = h->handler(call, params);
	if (r < 0) {
		rpc_fail(call, RPC_INTERNAL_ERROR, NULL, "%s failed: %s", method, strerror(-r));
	}
}

static void handle_request(struct rpc_client *c, struct rpc_batch *b, json_object *req)
{
	bool is_object = json_object_is_type(req, json_type_object);
	json_object *id = NULL, *v, *params = NULL;
	bool has_id = is_object && json_object_object_get_ex(req, "id", &id);
	struct rpc_call *call = call_new(c, b, id_valid(id) ? id : NULL);

	/* Only a valid request without an id is a notification; invalid ones are always answered. */
	if (!is_object || !json_object_object_get_ex(req, "jsonrpc", &v) || !string_is(v, "2.0")) {
		rpc_fail(call, RPC_INVALID_REQUEST, NULL, "invalid request: 'jsonrpc' must be \"2.0\"");
		return;
	}
	if (!id_valid(id)) {
		rpc_fail(call, RPC_INVALID_REQUEST, NULL,
			 "invalid request: 'id' must be a string, number or null");
		return;
	}
	if (!json_object_object_get_ex(req, "method", &v) || !string_plain(v)) {
		rpc_fail(call, RPC_INVALID_REQUEST, NULL, "invalid request: 'method' must be a string without NUL");
		return;
	}
	call->notification = !has_id;
	json_object_object_get_ex(req, "params", &params);
	dispatch(call, json_object_get_string(v), params);
}

/*
 * json-c keeps the last of duplicate keys silently. The text of an object with a repeated key
 * has more members than the object json-c built: count the members of each object in the (valid)
 * text, in the order the objects open, and compare with the tree walked in the same order.
 */
#define RPC_MAX_DEPTH 64 /* nesting of a message's JSON */

struct key_count {
	size_t *counts, *offsets, n; /* per object, in order of its '{' */
	size_t next;                 /* the walk's position */
};

static void count_keys(const char *line, size_t len, struct key_count *k)
{
	size_t stack[RPC_MAX_DEPTH + 1], depth = 0;
	bool object[RPC_MAX_DEPTH + 1] = {false};

	k->counts = util_xcalloc(len / 2 + 1, sizeof(*k->counts));
	k->offsets = util_xcalloc(len / 2 + 1, sizeof(*k->offsets));
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '{' || line[i] == '[') {
			object[++depth] = line[i] == '{';
			if (object[depth]) {
				k->offsets[k->n] = i;
				stack[depth] = k->n++;
			}
		} else if (line[i] == '}' || line[i] == ']') {
			depth--;
		} else if (line[i] == '"') {
			size_t j = i + 1;

			while (line[j] != '"') {
				j += line[j] == '\\' ? 2 : 1;
			}
			i = j;
			for (j++; j < len && strchr(" \t\r", line[j]); j++) {
			}
			if (object[depth] && j < len && line[j] == ':') {
				k->counts[stack[depth]]++;
			}
		}
	}
}

/* The offset of the first object with a repeated key, or -1. */
static ssize_t walk_duplicates(json_object *o, struct key_count *k)
{
	ssize_t r = -1;

	if (json_object_is_type(o, json_type_object)) {
		size_t i = k->next++;

		if ((size_t)json_object_object_length(o) != k->counts[i]) {
			return (ssize_t)k->offsets[i];
		}
		json_object_object_foreach(o, key, val) {
			(void)key;
			if ((r = walk_duplicates(val, k)) >= 0) {
				return r;
			}
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o) && r < 0; i++) {
			r = walk_duplicates(json_object_array_get_idx(o, i), k);
		}
	}
	return r;
}

static ssize_t duplicate_key_at(const char *line, size_t len, json_object *o)
{
	struct key_count k = {0};
	ssize_t r;

	count_keys(line, len, &k);
	r = walk_duplicates(o, &k);
	free(k.counts);
	free(k.offsets);
	return r;
}

static json_object *parse_line(const char *line, size_t len, char **ret_msg)
{
	struct json_tokener *tok = json_tokener_new_ex(RPC_MAX_DEPTH);
	json_object *o;
	size_t end;
	ssize_t dup;

	if (!tok) {
		abort();
	}
	/* RFC 8259 JSON only (no comments, single quotes, trailing commas); the trailing check is ours. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	/* With its NUL: a number or literal that ends the line is complete, not "incomplete". */
	o = json_tokener_parse_ex(tok, line, (int)len + 1);
	end = json_tokener_get_parse_end(tok);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue) {
		*ret_msg = util_xstrdup("parse error: the JSON text is incomplete");
	} else if (!o && json_tokener_get_error(tok) != json_tokener_success) {
		*ret_msg = util_strdup_printf("parse error at byte %zu: %s", end,
					      json_tokener_error_desc(json_tokener_get_error(tok)));
	} else {
		while (end < len && strchr(" \t\r", line[end])) {
			end++;
		}
		if (end < len) {
			json_object_put(o);
			o = NULL;
			*ret_msg = util_strdup_printf("parse error at byte %zu: more than one JSON text on the line", end);
		} else if ((dup = duplicate_key_at(line, len, o)) >= 0) {
			json_object_put(o);
			o = NULL;
			*ret_msg = util_strdup_printf("parse error at byte %zd: an object with a duplicate key", dup);
		}
	}
	json_tokener_free(tok);
	return o;
}

void rpc_handle_line(struct rpc_client *c, const char *line, size_t len)
{
	_cleanup_free_ char *msg = NULL;
	json_object *o;

	if (strspn(line, " \t\r") == len) {
		return; /* blank lines are keep-alives, not requests */
	}
	if (strlen(line) != len) {
		msg = util_xstrdup("parse error: NUL byte in the message");
		o = NULL;
	} else {
		o = parse_line(line, len, &msg);
	}
	if (!o && msg) {
		json_object *r = error_response(NULL, RPC_PARSE_ERROR, NULL, msg);

		json_object_object_add(r, "id", NULL);
		send_json(c, r);
		json_object_put(r);
		return;
	}
	if (json_object_is_type(o, json_type_array) && json_object_array_length(o) > RPC_MAX_BATCH) {
		json_object *r = error_response(NULL, RPC_INVALID_REQUEST, NULL,
						"invalid request: a batch holds at most " RPC_MAX_BATCH_STR " requests");

		send_json(c, r);
		json_object_put(r);
	} else if (json_object_is_type(o, json_type_array) && json_object_array_length(o) > 0) {
		struct rpc_batch *b = util_xcalloc(1, sizeof(*b));
		size_t n = json_object_array_length(o);

		b->client = c;
		c->ref(c);
		b->responses = json_object_new_array();
		b->pending = 1; /* held until every request of the batch is dispatched */
		for (size_t i = 0; i < n; i++) {
			handle_request(c, b, json_object_array_get_idx(o, i));
		}
		batch_finish_one(b);
	} else {
		/* A single request; an empty batch is one invalid request, as the spec says. */
		handle_request(c, NULL, o);
	}
	json_object_put(o);
}
