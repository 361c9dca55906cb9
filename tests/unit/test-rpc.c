/* Unit tests of the RPC layer with the real method table: JSON-RPC rules and every param check. */
#include "hostd.h"
#include "log.h"
#include "methods.h"
#include "rpc.h"
#include "store.h"

#include "contract.h"
#include "hostd-fixture.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <sys/stat.h>

/* A connection as the RPC layer sees it: replies are collected, references counted. */
struct fake_client {
	struct rpc_client rpc; /* first: the callbacks get &fake.rpc */
	char *out;
	size_t len;
	int refs;
};

static void fake_send(struct rpc_client *c, const char *line, size_t len)
{
	struct fake_client *f = (struct fake_client *)c;

	f->out = realloc(f->out, f->len + len + 1);
	memcpy(f->out + f->len, line, len);
	f->len += len;
	f->out[f->len] = '\0';
}

static void fake_ref(struct rpc_client *c)
{
	((struct fake_client *)c)->refs++;
}

static void fake_unref(struct rpc_client *c)
{
	((struct fake_client *)c)->refs--;
}

static struct fake_client rw = {.rpc = {fake_send, fake_ref, fake_unref}};
static struct fake_client ro = {.rpc = {fake_send, fake_ref, fake_unref, .read_only = true}};
static struct fake_client peek = {.rpc = {fake_send, fake_ref, fake_unref}};

static struct hostd h;
static const char *state_dir; /* h.cfg.state_dir */
static char *tmp, *files_dir, *kernel_path, *initrd_path, *disk_path;
static long next_id = 100;
/* Problems outside the asserted results, reported once at the end (details as diagnostics). */
static unsigned ref_imbalances, framing_problems;

/* The Vm members a client may rely on; the contract check below also reads them from the file. */
static const char *const vm_required[] = {
	"uuid", "name", "state", "reason", "memory_mib", "vcpus",
	"kernel", "initrd", "cmdline", "disks", "accel", "autostart",
};

/* ---- Talking to the RPC layer. ---- */

/* Hand one line to rpc_handle_line; returns the reply lines, parsed, as an array (owned). */
static json_object *send_raw(struct fake_client *c, const char *line, size_t len)
{
	json_object *replies = json_object_new_array();
	char *p;

	free(c->out);
	c->out = NULL;
	c->len = 0;
	rpc_handle_line(&c->rpc, line, len);
	if (c->refs != 0) {
		ref_imbalances++;
		tap_diag("client references not balanced (%d) after %.200s", c->refs, line);
		c->refs = 0;
	}
	for (p = c->out; p && *p;) {
		char *nl = strchr(p, '\n');
		json_object *o;

		if (!nl) {
			framing_problems++;
			tap_diag("a reply does not end in '\\n': %s", p);
			break;
		}
		*nl = '\0';
		o = json_tokener_parse(p);
		if (!o || strchr(p, '\n')) {
			framing_problems++;
			tap_diag("a reply line is not one JSON text: %s", p);
		}
		json_object_array_add(replies, o);
		p = nl + 1;
	}
	return replies;
}

static json_object *send_str(struct fake_client *c, const char *line)
{
	return send_raw(c, line, strlen(line));
}

/* The request line for method with params (borrowed; NULL: none) and an id (< 0: none). */
static char *request_line(const char *method, json_object *params, long id)
{
	json_object *r = json_object_new_object();
	char *s;

	json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
	if (id >= 0) {
		json_object_object_add(r, "id", json_object_new_int64(id));
	}
	json_object_object_add(r, "method", json_object_new_string(method));
	if (params) {
		json_object_object_add(r, "params", json_object_get(params));
	}
	s = util_xstrdup(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(r);
	return s;
}

/* Call method and return the one reply (owned), checked against the contract; NULL if none. */
static json_object *call(struct fake_client *c, const char *method, json_object *params)
{
	long id = ++next_id;
	char *line = request_line(method, params, id);
	json_object *replies = send_str(c, line), *resp = NULL, *v;

	if (json_object_array_length(replies) != 1) {
		framing_problems++;
		tap_diag("%zu replies, not 1, to %s", json_object_array_length(replies), line);
	} else {
		resp = json_object_get(json_object_array_get_idx(replies, 0));
		check_response(resp, method);
		if (!json_object_object_get_ex(resp, "id", &v) || json_object_get_int64(v) != id) {
			violation(method, resp, util_strdup_printf("id is not %ld", id));
		}
	}
	json_object_put(replies);
	free(line);
	return resp;
}

static json_object *params_of(const char *json)
{
	json_object *o = json_tokener_parse(json);

	if (!o) {
		tap_diag("bad JSON in the test: %s", json);
		abort();
	}
	return o;
}

/* The result of a successful call (owned), or NULL with a failed check. */
static json_object *call_ok(struct fake_client *c, const char *method, const char *params_json,
			    const char *what)
{
	json_object *params = params_json ? params_of(params_json) : NULL;
	json_object *resp = call(c, method, params), *result = NULL;

	if (resp && json_object_object_get_ex(resp, "result", &result)) {
		result = json_object_get(result);
	}
	tap_result(result != NULL, __FILE__, __LINE__, json_object_to_json_string(resp), "%s",
		   what);
	json_object_put(resp);
	json_object_put(params);
	return result;
}

static const char *str_member(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
			       json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static long long int_member(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -999999;
}

/* The names in dir, sorted, joined by ' '; appended to out. */
static void list_into(char **out, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char *next = util_strdup_printf("%s %s", *out, names[i]->d_name);

			free(*out);
			*out = next;
		}
		free(names[i]);
	}
	free(names);
}

/* What a failing call must not change: the state and runtime files and what vm.list says. */
static char *snapshot(void)
{
	char *s = util_xstrdup("files:"), *d, *next;
	json_object *replies;

	d = util_strdup_printf("%s/vms", state_dir);
	list_into(&s, d);
	free(d);
	d = util_strdup_printf("%s/logs", state_dir);
	list_into(&s, d);
	free(d);
	d = util_strdup_printf("%s/vms", h.cfg.runtime_dir);
	list_into(&s, d);
	free(d);
	replies = send_str(&peek, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"vm.list\"}");
	next = util_strdup_printf("%s list:%s", s, json_object_to_json_string(replies));
	json_object_put(replies);
	free(s);
	return next;
}

/*
 * Call and expect error code; data_key/data_value (when set) must be a member of error.data and
 * message (when set) the exact message. Then nothing may have changed. One check in all.
 */
static __attribute__((format(printf, 9, 10))) bool
expect_fail_at(int line, struct fake_client *c, const char *method, json_object *params, int code,
	       const char *data_key, const char *data_value, const char *message, const char *fmt,
	       ...)
{
	char *before = snapshot(), *after, *what = NULL, *detail = NULL;
	json_object *resp = call(c, method, params), *error = NULL, *data = NULL;
	const char *got_data, *got_msg;
	va_list ap;
	bool ok;

	after = snapshot();
	json_object_object_get_ex(resp, "error", &error);
	json_object_object_get_ex(error, "data", &data);
	got_data = data_key ? str_member(data, data_key) : NULL;
	got_msg = str_member(error, "message");
	ok = error && int_member(error, "code") == code &&
	     (!data_key || (got_data && strcmp(got_data, data_value) == 0)) &&
	     (!message || (got_msg && strcmp(got_msg, message) == 0)) && strcmp(before, after) == 0;
	if (!ok) {
		detail = util_strdup_printf("expected code %d%s%s%s%s%s%s, got %s%s", code,
					    data_key ? " data." : "", data_key ? data_key : "",
					    data_key ? "=" : "", data_value ? data_value : "",
					    message ? " message " : "", message ? message : "",
					    resp ? json_object_to_json_string(resp) : "no reply",
					    strcmp(before, after) ? "; and the state changed" : "");
	}
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0) {
		abort();
	}
	va_end(ap);
	tap_result(ok, __FILE__, line, detail, "%s", what);
	free(what);
	free(detail);
	free(before);
	free(after);
	json_object_put(resp);
	json_object_put(params);
	return ok;
}

/* params is taken; pass NULL for none. */
#define EXPECT_FAIL(c, method, params, code, data_key, data_value, message, ...)                   \
	expect_fail_at(__LINE__, c, method, params, code, data_key, data_value, message,           \
		       __VA_ARGS__)
#define EXPECT_BAD_PARAM(method, params_json, param, ...)                                          \
	EXPECT_FAIL(&rw, method, params_of(params_json), RPC_INVALID_PARAMS, "param", param, NULL, \
		    __VA_ARGS__)

/* The error code of a reply, or 0 when it has none. */
static long long error_code(json_object *resp)
{
	json_object *e;

	return json_object_object_get_ex(resp, "error", &e) ? int_member(e, "code") : 0;
}

/* The reply of a line that must get exactly one, not checked against a method (owned). */
static json_object *one_reply(const char *line, size_t len)
{
	json_object *replies = send_raw(&rw, line, len), *r = NULL;

	if (json_object_array_length(replies) == 1) {
		r = json_object_get(json_object_array_get_idx(replies, 0));
		if (json_object_is_type(r, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(r); i++) {
				check_response(json_object_array_get_idx(r, i), NULL);
			}
		} else {
			check_response(r, NULL);
		}
	} else {
		framing_problems++;
		tap_diag("%zu replies, not 1, to %.200s", json_object_array_length(replies), line);
	}
	json_object_put(replies);
	return r;
}

/* An error reply with code and id (JSON text of the id) to a raw line. */
static void expect_raw_error(const char *line, size_t len, int code, const char *id_json,
			     const char *what)
{
	json_object *r = one_reply(line, len), *id = NULL;
	bool has_id = r && json_object_object_get_ex(r, "id", &id);
	const char *got_id = has_id ? json_object_to_json_string(id) : "(none)";
	char *detail = util_strdup_printf("expected code %d id %s, got %s", code, id_json,
					  r ? json_object_to_json_string(r) : "no reply");

	tap_result(error_code(r) == code && has_id && strcmp(got_id, id_json) == 0, __FILE__,
		   __LINE__, detail, "%s", what);
	free(detail);
	json_object_put(r);
}

static void expect_no_reply(const char *line, const char *what)
{
	json_object *replies = send_str(&rw, line);

	CHECK_EQ_INT(json_object_array_length(replies), 0, "%s", what);
	json_object_put(replies);
}

/* Delete a VM a failed check may have left behind, so later checks start from a known state. */
static void forget_vm(const char *name)
{
	char *line = util_strdup_printf("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"vm.delete\","
					"\"params\":{\"vm\":\"%s\"}}",
					name);

	json_object_put(send_str(&peek, line));
	free(line);
}

/* ---- JSON-RPC 2.0 itself. ---- */

/* A vm.list request with an extra member holding levels containers around a value. */
static void expect_nested(int levels, const char *open, const char *close, bool ok)
{
	char *line = util_xstrdup("{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":9,\"x\":");
	char *next;
	json_object *r;

	for (int i = 0; i < levels; i++) {
		next = util_strdup_printf("%s%s", line, open);
		free(line);
		line = next;
	}
	next = util_strdup_printf("%s1", line);
	free(line);
	line = next;
	for (int i = 0; i < levels; i++) {
		next = util_strdup_printf("%s%s", line, close);
		free(line);
		line = next;
	}
	next = util_strdup_printf("%s}", line);
	free(line);
	line = next;
	r = one_reply(line, strlen(line));
	if (ok) {
		CHECK(r && json_object_object_get_ex(r, "result", NULL),
		      "a request of %d nested containers (%s) is accepted", levels + 1, open);
	} else {
		CHECK_EQ_INT(error_code(r), RPC_PARSE_ERROR,
			     "a request of %d nested containers (%s): -32700", levels + 1, open);
	}
	json_object_put(r);
	free(line);
}

static void test_parse_errors(void)
{
	static const char *const bad[] = {
		"{",
		"not json",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1} x",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1}{}",
		"[{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1},",
		"nul",
	};
	char deep[202];
	const char nul_line[] = "{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1}\0{}";

	/* Not JSON (RFC 8259), though json-c's default, lenient mode takes them. */
	static const char *const lenient[] = {
		"{'jsonrpc':'2.0','method':'vm.list','id':1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1,}",
		"[{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1},]",
		"/* comment */ {\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":01}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1,\"params\":{},\"x\":tRuE}",
	};
	/* Rule 14 of CONVENTIONS.md: duplicate keys are rejected, not resolved silently. */
	static const char *const duplicate[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"method\":\"vm.nope\",\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.create\",\"id\":1,"
		"\"params\":{\"name\":\"dupkey\",\"name\":\"dupkey2\"}}",
	};

	for (size_t i = 0; i < ELEMENTSOF(lenient); i++) {
		char *what = util_strdup_printf("parse error -32700 for lenient non-JSON: %s",
						lenient[i]);

		expect_raw_error(lenient[i], strlen(lenient[i]), RPC_PARSE_ERROR, "null", what);
		free(what);
	}
	for (size_t i = 0; i < ELEMENTSOF(duplicate); i++) {
		char *what = util_strdup_printf("parse error -32700 for a duplicate key: %s",
						duplicate[i]);
		char *before = snapshot(), *after;

		expect_raw_error(duplicate[i], strlen(duplicate[i]), RPC_PARSE_ERROR, "null", what);
		after = snapshot();
		CHECK_STREQ(after, before, "nothing changed after a request with a duplicate key");
		forget_vm("dupkey");
		forget_vm("dupkey2");
		free(before);
		free(after);
		free(what);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char *what = util_strdup_printf("parse error -32700 with id null: %s", bad[i]);

		expect_raw_error(bad[i], strlen(bad[i]), RPC_PARSE_ERROR, "null", what);
		free(what);
	}
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	expect_raw_error(deep, 200, RPC_PARSE_ERROR, "null", "parse error: nesting deeper than 64");
	/* json-c's depth 64 counts the innermost value: at most 63 containers around it. */
	expect_nested(62, "[", "]", true);
	expect_nested(62, "{\"k\":", "}", true);
	expect_nested(63, "[", "]", false);
	expect_nested(63, "{\"k\":", "}", false);
	expect_raw_error(nul_line, sizeof(nul_line) - 1, RPC_PARSE_ERROR, "null",
			 "parse error: a NUL byte in the line");
	expect_no_reply("", "an empty line gets no reply");
	expect_no_reply(" \t\r", "a blank line gets no reply");
}

static void test_invalid_requests(void)
{
	static const struct {
		const char *line, *id;
	} cases[] = {
		{"{\"method\":\"vm.list\",\"id\":1}", "1"},
		{"{\"jsonrpc\":\"1.0\",\"method\":\"vm.list\",\"id\":2}", "2"},
		{"{\"jsonrpc\":2.0,\"method\":\"vm.list\",\"id\":3}", "3"},
		{"{\"jsonrpc\":null,\"method\":\"vm.list\",\"id\":4}", "4"},
		{"{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":5}", "5"},
		{"{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":6}", "6"},
		{"{\"jsonrpc\":\"2.0\",\"method\":[\"vm.list\"],\"id\":7}", "7"},
		{"{\"jsonrpc\":\"2.0\",\"id\":8}", "8"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":{}}", "null"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":{\"a\":1}}", "null"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":[1]}", "null"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":true}", "null"},
		/* Invalid requests without an id are answered too: they are not notifications. */
		{"{\"jsonrpc\":\"1.0\",\"method\":\"vm.list\"}", "null"},
		{"{\"jsonrpc\":\"2.0\"}", "null"},
		{"[]", "null"},
		{"{}", "null"},
		{"\"vm.list\"", "null"},
		{"1", "null"},
		{"true", "null"},
		{"null", "null"},
	};
	json_object *replies, *r;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *what = util_strdup_printf("invalid request -32600 with id %s: %s",
						cases[i].id, cases[i].line);

		expect_raw_error(cases[i].line, strlen(cases[i].line), RPC_INVALID_REQUEST,
				 cases[i].id, what);
		free(what);
	}

	/* "[1]" is a batch of one invalid request: the reply is an array. */
	replies = send_str(&rw, "[1,\"x\"]");
	r = json_object_array_length(replies) == 1 ? json_object_array_get_idx(replies, 0) : NULL;
	if (CHECK(json_object_is_type(r, json_type_array) && json_object_array_length(r) == 2,
		  "a batch of two invalid requests gets an array of two replies")) {
		for (size_t i = 0; i < 2; i++) {
			json_object *e = json_object_array_get_idx(r, i), *id = NULL;

			check_response(e, NULL);
			CHECK(error_code(e) == RPC_INVALID_REQUEST &&
				      json_object_object_get_ex(e, "id", &id) && id == NULL,
			      "batch reply %zu: -32600 with id null", i);
		}
	}
	json_object_put(replies);
}

static void test_method_not_found(void)
{
	json_object *r = call(&rw, "vm.nope", NULL), *e = NULL;

	json_object_object_get_ex(r, "error", &e);
	CHECK_EQ_INT(error_code(r), RPC_METHOD_NOT_FOUND, "unknown method: -32601");
	CHECK_STREQ(str_member(e, "message"), "method 'vm.nope' not found", "its message names it");
	json_object_put(r);
	r = call(&rw, "", NULL);
	CHECK_EQ_INT(error_code(r), RPC_METHOD_NOT_FOUND, "empty method name: -32601");
	json_object_put(r);
	r = call(&rw, "VM.LIST", NULL);
	CHECK_EQ_INT(error_code(r), RPC_METHOD_NOT_FOUND,
		     "method names are case-sensitive: -32601");
	json_object_put(r);
}

static void expect_id_echo(const char *id_json)
{
	char *line = util_strdup_printf("{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":%s}",
					id_json);
	json_object *r = one_reply(line, strlen(line)), *id = NULL,
		    *want = json_tokener_parse(id_json);
	bool has = r && json_object_object_get_ex(r, "id", &id);

	CHECK(has && json_object_object_get_ex(r, "result", NULL) && json_object_equal(id, want),
	      "id %s is echoed: %s", id_json, r ? json_object_to_json_string(r) : "no reply");
	json_object_put(want);
	json_object_put(r);
	free(line);
}

static void test_ids(void)
{
	expect_id_echo("\"abc\"");
	expect_id_echo("\"\"");
	expect_id_echo("\"a \\\"quoted\\\" id\"");
	expect_id_echo("7");
	expect_id_echo("0");
	expect_id_echo("-3");
	expect_id_echo("9007199254740993");
	expect_id_echo("1.5");
	expect_id_echo("null");
}

static void test_notifications(void)
{
	json_object *list;

	expect_no_reply("{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\"}",
			"a notification gets no reply");
	expect_no_reply("{\"jsonrpc\":\"2.0\",\"method\":\"vm.nope\"}",
			"a notification of an unknown method gets no reply");
	expect_no_reply("{\"jsonrpc\":\"2.0\",\"method\":\"vm.info\",\"params\":{\"bogus\":1}}",
			"a notification with bad params gets no reply");
	expect_no_reply(
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.info\",\"params\":{\"vm\":\"nosuchvm\"}}",
		"a notification naming no VM gets no reply");
	expect_no_reply("[{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\"},"
			"{\"jsonrpc\":\"2.0\",\"method\":\"host.info\"},"
			"{\"jsonrpc\":\"2.0\",\"method\":\"vm.nope\"}]",
			"a batch of notifications only gets no reply at all");
	/* A notification still acts. */
	expect_no_reply(
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.create\",\"params\":{\"name\":\"notified\"}}",
		"vm.create as a notification: no reply");
	list = call_ok(&rw, "vm.info", "{\"vm\":\"notified\"}",
		       "the notified vm.create defined the VM");
	json_object_put(list);
	list = call_ok(&rw, "vm.delete", "{\"vm\":\"notified\"}", "and it can be deleted");
	json_object_put(list);
}

/* Find the reply with the integer id in a batch reply array. */
static json_object *by_id(json_object *arr, long id)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;

		if (json_object_object_get_ex(e, "id", &v) &&
		    json_object_is_type(v, json_type_int) && json_object_get_int64(v) == id) {
			return e;
		}
	}
	return NULL;
}

static void test_batches(void)
{
	const char *line =
		"[{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":1},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"host.info\",\"id\":\"two\"},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\"},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.nope\",\"id\":3},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.info\",\"params\":{\"vm\":\"x\"},\"id\":4},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.console\",\"params\":{\"vm\":\"a\"},\"id\":5}"
		","
		"7]";
	json_object *replies = send_str(&rw, line), *arr = NULL, *e, *two = NULL;
	size_t n = json_object_array_length(replies);

	CHECK_EQ_INT(n, 1, "a batch gets one reply line");
	if (n == 1) {
		arr = json_object_array_get_idx(replies, 0);
	}
	if (!tap_result(json_object_is_type(arr, json_type_array) &&
				json_object_array_length(arr) == 6,
			__FILE__, __LINE__, arr ? json_object_to_json_string(arr) : "no array",
			"the batch reply is an array of 6 (the notification has none)")) {
		json_object_put(replies);
		return;
	}
	e = by_id(arr, 1);
	check_response(e, "vm.list");
	CHECK(e && json_object_object_get_ex(e, "result", NULL),
	      "batch: id 1 (vm.list) has a result");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *id;

		e = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(e, "id", &id) &&
		    json_object_is_type(id, json_type_string)) {
			two = e;
			CHECK_STREQ(json_object_get_string(id), "two",
				    "batch: the string id is echoed");
		}
	}
	check_response(two, "host.info");
	CHECK(two && json_object_object_get_ex(two, "result", NULL),
	      "batch: id \"two\" has a result");
	e = by_id(arr, 3);
	check_response(e, NULL);
	CHECK_EQ_INT(error_code(e), RPC_METHOD_NOT_FOUND, "batch: id 3 gets -32601");
	e = by_id(arr, 4);
	check_response(e, NULL);
	CHECK_EQ_INT(error_code(e), RPC_NOT_FOUND, "batch: id 4 gets not found");
	e = by_id(arr, 5);
	check_response(e, NULL);
	CHECK_EQ_INT(error_code(e), RPC_INVALID_REQUEST,
		     "batch: vm.console in a batch gets -32600");
	e = NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *id = (json_object *)1;

		if (json_object_object_get_ex(json_object_array_get_idx(arr, i), "id", &id) &&
		    !id) {
			e = json_object_array_get_idx(arr, i);
		}
	}
	CHECK_EQ_INT(error_code(e), RPC_INVALID_REQUEST,
		     "batch: the member 7 gets -32600 with id null");
	json_object_put(replies);
}

/* ---- Parameters of every method, from the generated table. ---- */

static json_object *valid_value(const struct param_spec *p, const char *vm)
{
	if (strcmp(p->name, "name") == 0) {
		return json_object_new_string("newvm");
	}
	if (strcmp(p->name, "vm") == 0) {
		return json_object_new_string(vm);
	}
	switch (p->type) {
	case PARAM_STRING:
		return json_object_new_string(p->enum_values			? p->enum_values[0]
					      : p->format == PARAM_FMT_ABS_PATH ? kernel_path
										: "x");
	case PARAM_INT:
		return json_object_new_int64(p->min);
	case PARAM_BOOL:
		return json_object_new_boolean(false);
	case PARAM_STRING_ARRAY:
		return json_object_new_array();
	}
	abort();
}

/* The required params of m with valid values; 'vm' names vm. */
static json_object *base_params(const struct method_spec *m, const char *vm)
{
	json_object *o = json_object_new_object();

	for (const struct param_spec *p = m->params; p->name; p++) {
		if (p->required) {
			json_object_object_add(o, p->name, valid_value(p, vm));
		}
	}
	return o;
}

static json_object *with(json_object *params, const char *key, json_object *value)
{
	json_object_object_add(params, key, value);
	return params;
}

static bool has_param(const struct method_spec *m, const char *name)
{
	return params_find(m, name) != NULL;
}

/* JSON texts of the wrong type for each param type. */
static const char *const wrong_string[] = {"1", "1.5", "true", "null", "[]", "[\"x\"]", "{}"};
static const char *const wrong_int[] = {"\"1\"", "1.5", "1e2", "true", "null", "[]", "{}"};
static const char *const wrong_bool[] = {"\"true\"", "1", "0", "null", "[]", "{}"};
static const char *const wrong_array[] = {"\"/x\"", "[1]",  "[null]", "[[\"/x\"]]",
					  "{}",	    "null", "true"};

static void test_params_of(const struct method_spec *m)
{
	const char *const *wrong;
	size_t n_wrong;
	char *msg;

	/* Unknown params, and params that are not by-name. */
	msg = util_strdup_printf("unknown parameter 'bogus' for method '%s'", m->name);
	EXPECT_FAIL(&rw, m->name, with(base_params(m, "nosuchvm"), "bogus", json_object_new_int(1)),
		    RPC_INVALID_PARAMS, "param", "bogus", msg,
		    "%s: unknown param 'bogus' -> -32602", m->name);
	free(msg);
	EXPECT_FAIL(&rw, m->name,
		    with(base_params(m, "nosuchvm"), "Vm", json_object_new_string("a")),
		    RPC_INVALID_PARAMS, "param", "Vm", NULL, "%s: param names are case-sensitive",
		    m->name);
	EXPECT_FAIL(&rw, m->name, params_of("[\"a\"]"), RPC_INVALID_PARAMS, NULL, NULL, NULL,
		    "%s: params as an array -> -32602", m->name);
	EXPECT_FAIL(&rw, m->name, params_of("\"a\""), RPC_INVALID_PARAMS, NULL, NULL, NULL,
		    "%s: params as a string -> -32602", m->name);

	for (const struct param_spec *p = m->params; p->name; p++) {
		if (p->required) {
			json_object *o = base_params(m, "nosuchvm");

			json_object_object_del(o, p->name);
			msg = util_strdup_printf("missing parameter '%s' for method '%s'", p->name,
						 m->name);
			EXPECT_FAIL(&rw, m->name, o, RPC_INVALID_PARAMS, "param", p->name, msg,
				    "%s: required '%s' missing -> -32602", m->name, p->name);
			free(msg);
		}
		switch (p->type) {
		case PARAM_STRING:
			wrong = wrong_string, n_wrong = ELEMENTSOF(wrong_string);
			break;
		case PARAM_INT:
			wrong = wrong_int, n_wrong = ELEMENTSOF(wrong_int);
			break;
		case PARAM_BOOL:
			wrong = wrong_bool, n_wrong = ELEMENTSOF(wrong_bool);
			break;
		default:
			wrong = wrong_array, n_wrong = ELEMENTSOF(wrong_array);
			break;
		}
		for (size_t i = 0; i < n_wrong; i++) {
			json_object *v = strcmp(wrong[i], "null") == 0 ? NULL : params_of(wrong[i]);

			EXPECT_FAIL(&rw, m->name, with(base_params(m, "nosuchvm"), p->name, v),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' of the wrong type (%s) -> -32602", m->name, p->name,
				    wrong[i]);
		}
		if (p->type == PARAM_INT) {
			EXPECT_FAIL(&rw, m->name,
				    with(base_params(m, "nosuchvm"), p->name,
					 json_object_new_int64(p->min - 1)),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' = min - 1 (%lld) -> -32602", m->name, p->name,
				    (long long)p->min - 1);
			EXPECT_FAIL(&rw, m->name,
				    with(base_params(m, "nosuchvm"), p->name,
					 json_object_new_int64(p->max + 1)),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' = max + 1 (%lld) -> -32602", m->name, p->name,
				    (long long)p->max + 1);
		}
		if (p->type == PARAM_STRING && p->max_len < 100000) {
			size_t n = (size_t)p->max_len + 1;
			char *s = malloc(n + 1);

			memset(s, 'a', n);
			s[0] = p->format == PARAM_FMT_ABS_PATH ? '/' : 'a';
			s[n] = '\0';
			EXPECT_FAIL(&rw, m->name,
				    with(base_params(m, "nosuchvm"), p->name,
					 json_object_new_string(s)),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' longer than %lld characters -> -32602", m->name,
				    p->name, (long long)p->max_len);
			free(s);
		}
		if (p->type == PARAM_STRING) {
			EXPECT_FAIL(&rw, m->name,
				    with(base_params(m, "nosuchvm"), p->name,
					 json_object_new_string_len("/a\0b", 4)),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' with a NUL byte -> -32602", m->name, p->name);
		}
		if (p->enum_values) {
			EXPECT_FAIL(&rw, m->name,
				    with(base_params(m, "nosuchvm"), p->name,
					 json_object_new_string("bogus")),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' not in its enum -> -32602", m->name, p->name);
		}
		if (p->type == PARAM_STRING_ARRAY) {
			json_object *arr = json_object_new_array();

			for (int64_t i = 0; i <= p->max; i++) {
				json_object_array_add(arr, json_object_new_string(disk_path));
			}
			EXPECT_FAIL(&rw, m->name, with(base_params(m, "nosuchvm"), p->name, arr),
				    RPC_INVALID_PARAMS, "param", p->name, NULL,
				    "%s: '%s' with %lld items -> -32602", m->name, p->name,
				    (long long)p->max + 1);
		}
	}

	if (has_param(m, "vm")) {
		char v64[65], v65[66];

		memset(v64, 'v', 64);
		v64[64] = '\0';
		memset(v65, 'v', 65);
		v65[65] = '\0';
		EXPECT_FAIL(&rw, m->name, base_params(m, "x"), RPC_NOT_FOUND, NULL, NULL,
			    "VM 'x' not found", "%s: 'vm' naming no VM -> 1, \"VM 'x' not found\"",
			    m->name);
		EXPECT_FAIL(&rw, m->name, base_params(m, "a/b"), RPC_NOT_FOUND, NULL, NULL,
			    "VM 'a/b' not found", "%s: 'vm' = 'a/b' names no VM -> 1", m->name);
		EXPECT_FAIL(&rw, m->name, base_params(m, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
			    RPC_NOT_FOUND, NULL, NULL,
			    "VM '3f2504e0-4f89-41d3-9a0c-0305e82c3301' not found",
			    "%s: 'vm' = an unknown UUID -> 1", m->name);
		EXPECT_FAIL(&rw, m->name, base_params(m, v64), RPC_NOT_FOUND, NULL, NULL, NULL,
			    "%s: 'vm' of 64 characters is allowed, names no VM -> 1", m->name);
		EXPECT_FAIL(&rw, m->name, base_params(m, v65), RPC_INVALID_PARAMS, "param", "vm",
			    NULL, "%s: 'vm' of 65 characters -> -32602", m->name);
		EXPECT_FAIL(&rw, m->name, base_params(m, ""), RPC_INVALID_PARAMS, "param", "vm",
			    NULL, "%s: empty 'vm' -> -32602", m->name);
	}
}

static void test_every_method_params(void)
{
	size_t n = 0;

	for (const struct method_spec *m = api_methods; m->name; m++, n++) {
		test_params_of(m);
	}
	CHECK_EQ_INT(n, json_object_array_length(api_get(api, "methods", NULL)),
		     "the generated table has every method of the contract");
}

static void test_create_params(void)
{
	static const char *const bad_names[] = {"a/b",	"..",	   ".",		 "",
						"-a",	".hidden", "_a",	 "a b",
						"/abs", "a\\\\b",  "caf\\u00e9", "a\\nb"};
	char *json, n65[66];

	memset(n65, 'n', 65);
	n65[65] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(bad_names); i++) {
		json = util_strdup_printf("{\"name\":\"%s\"}", bad_names[i]);
		EXPECT_BAD_PARAM("vm.create", json, "name", "vm.create: name \"%s\" -> -32602",
				 bad_names[i]);
		free(json);
	}
	json = util_strdup_printf("{\"name\":\"%s\"}", n65);
	EXPECT_BAD_PARAM("vm.create", json, "name", "vm.create: a 65-character name -> -32602");
	free(json);

	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":0}", "memory_mib",
			 "vm.create: memory_mib 0 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":15}", "memory_mib",
			 "vm.create: memory_mib 15 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":2000000}", "memory_mib",
			 "vm.create: memory_mib 2000000 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":-256}", "memory_mib",
			 "vm.create: memory_mib -256 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":9223372036854775807}",
			 "memory_mib", "vm.create: memory_mib INT64_MAX -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":18446744073709551616}",
			 "memory_mib", "vm.create: memory_mib 2^64 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":-9223372036854775809}",
			 "memory_mib", "vm.create: memory_mib below INT64_MIN -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"memory_mib\":256.0}", "memory_mib",
			 "vm.create: memory_mib 256.0 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"vcpus\":0}", "vcpus",
			 "vm.create: vcpus 0 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"vcpus\":65}", "vcpus",
			 "vm.create: vcpus 65 -> -32602");
	EXPECT_BAD_PARAM("vm.shutdown", "{\"vm\":\"a\",\"timeout\":0}", "timeout",
			 "vm.shutdown: timeout 0 -> -32602");
	EXPECT_BAD_PARAM("vm.shutdown", "{\"vm\":\"a\",\"timeout\":3601}", "timeout",
			 "vm.shutdown: timeout 3601 -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"kernel\":\"vmlinuz\"}", "kernel",
			 "vm.create: relative kernel path -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"kernel\":\"\"}", "kernel",
			 "vm.create: empty kernel path -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"kernel\":\"/k\",\"initrd\":\"./initrd\"}",
			 "initrd", "vm.create: relative initrd path -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"disks\":[\"/d\",\"disk.img\"]}", "disks",
			 "vm.create: a relative disk path -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"accel\":\"xen\"}", "accel",
			 "vm.create: accel 'xen' -> -32602");
	EXPECT_BAD_PARAM("vm.create", "{\"name\":\"m\",\"accel\":\"KVM\"}", "accel",
			 "vm.create: accel 'KVM' (case) -> -32602");
	EXPECT_BAD_PARAM("vm.reboot", "{\"vm\":\"a\",\"mode\":\"hard\"}", "mode",
			 "vm.reboot: mode 'hard' -> -32602");
	EXPECT_BAD_PARAM("host.info", "{\"verbose\":true}", "verbose", "host.info takes no params");
	EXPECT_BAD_PARAM("vm.list", "{\"all\":true}", "all", "vm.list takes no params");
}

/* ---- The methods' behaviour on shut-off VMs. ---- */

static char *def_file(const char *uuid)
{
	return util_strdup_printf("%s/vms/%s.json", state_dir, uuid);
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_create(void)
{
	json_object *vm, *list, *info, *v;
	const char *uuid;
	char *path, *want;

	vm = call_ok(&rw, "vm.create", "{\"name\":\"a\"}", "vm.create 'a' succeeds");
	if (!vm) {
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(vm_required); i++) {
		CHECK(json_object_object_get_ex(vm, vm_required[i], NULL), "the Vm has '%s'",
		      vm_required[i]);
	}
	CHECK_STREQ(str_member(vm, "state"), "shut off", "a new VM is shut off");
	CHECK_STREQ(str_member(vm, "reason"), "defined", "with reason defined");
	CHECK_STREQ(str_member(vm, "name"), "a", "name a");
	CHECK_EQ_INT(int_member(vm, "memory_mib"), 256, "memory_mib defaults to 256");
	CHECK_EQ_INT(int_member(vm, "vcpus"), 1, "vcpus defaults to 1");
	want = util_strdup_printf("%s/kernel", h.cfg.guest_dir);
	CHECK_STREQ(str_member(vm, "kernel"), want, "kernel is the default guest's");
	free(want);
	want = util_strdup_printf("%s/initramfs.cpio.gz", h.cfg.guest_dir);
	CHECK_STREQ(str_member(vm, "initrd"), want, "initrd is the default guest's");
	free(want);
	CHECK_STREQ(str_member(vm, "cmdline"), hostd_default_cmdline(), "cmdline is the default");
	CHECK(json_object_object_get_ex(vm, "disks", &v) &&
		      json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0,
	      "no disks");
	CHECK_STREQ(str_member(vm, "accel"), "auto", "accel defaults to auto");
	CHECK(json_object_object_get_ex(vm, "autostart", &v) &&
		      json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v),
	      "autostart defaults to false");
	CHECK(!json_object_object_get_ex(vm, "pid", NULL) &&
		      !json_object_object_get_ex(vm, "accel_used", NULL),
	      "no pid or accel_used while shut off");
	uuid = str_member(vm, "uuid");
	CHECK(uuid && util_uuid_valid(uuid), "the uuid is valid: %s", uuid ? uuid : "(none)");
	path = def_file(uuid ? uuid : "none");
	CHECK(file_exists(path), "the definition file <state>/vms/<uuid>.json exists");
	free(path);

	list = call_ok(&rw, "vm.list", NULL, "vm.list");
	CHECK(list && json_object_object_get_ex(list, "vms", &v) &&
		      json_object_array_length(v) == 1 &&
		      json_object_equal(json_object_array_get_idx(v, 0), vm),
	      "vm.list shows the one VM as vm.create returned it");
	json_object_put(list);
	info = call_ok(&rw, "vm.info", "{\"vm\":\"a\"}", "vm.info by name");
	CHECK(json_object_equal(info, vm), "vm.info by name equals the create reply");
	json_object_put(info);
	want = util_strdup_printf("{\"vm\":\"%s\"}", uuid ? uuid : "none");
	info = call_ok(&rw, "vm.info", want, "vm.info by uuid");
	CHECK(json_object_equal(info, vm), "vm.info by uuid equals the create reply");
	json_object_put(info);
	free(want);
	json_object_put(vm);
}

static void test_create_full(void)
{
	char *json = util_strdup_printf("{\"name\":\"b\",\"memory_mib\":1048576,\"vcpus\":64,"
					"\"kernel\":\"%s\",\"initrd\":\"%s\","
					"\"cmdline\":\"console=ttyS0 "
					"x=\\\"y\\\"\",\"disks\":[\"%s\",\"%s\"],\"accel\":\"tcg\","
					"\"autostart\":true}",
					kernel_path, initrd_path, disk_path, disk_path);
	json_object *vm = call_ok(&rw, "vm.create", json, "vm.create 'b' with every param"),
		    *v = NULL;
	char *names;

	if (vm) {
		CHECK_EQ_INT(int_member(vm, "memory_mib"), 1048576,
			     "memory_mib 1048576 (the maximum)");
		CHECK_EQ_INT(int_member(vm, "vcpus"), 64, "vcpus 64 (the maximum)");
		CHECK_STREQ(str_member(vm, "kernel"), kernel_path, "kernel as given");
		CHECK_STREQ(str_member(vm, "initrd"), initrd_path, "initrd as given");
		CHECK_STREQ(str_member(vm, "cmdline"), "console=ttyS0 x=\"y\"", "cmdline as given");
		CHECK(json_object_object_get_ex(vm, "disks", &v) &&
			      json_object_array_length(v) == 2 &&
			      strcmp(json_object_get_string(json_object_array_get_idx(v, 1)),
				     disk_path) == 0,
		      "disks as given");
		CHECK_STREQ(str_member(vm, "accel"), "tcg", "accel as given");
		CHECK(json_object_object_get_ex(vm, "autostart", &v) && json_object_get_boolean(v),
		      "autostart as given");
	}
	json_object_put(vm);
	free(json);

	json = util_strdup_printf(
		"{\"name\":\"c\",\"kernel\":\"%s\",\"memory_mib\":16,\"vcpus\":1}", kernel_path);
	vm = call_ok(&rw, "vm.create", json, "vm.create 'c' with a kernel and no initrd");
	CHECK_STREQ(str_member(vm, "initrd"), "",
		    "initrd is empty when a kernel comes without one");
	CHECK_EQ_INT(int_member(vm, "memory_mib"), 16, "memory_mib 16 (the minimum)");
	json_object_put(vm);
	free(json);

	vm = call_ok(&rw, "vm.list", NULL, "vm.list of three VMs");
	json_object_object_get_ex(vm, "vms", &v);
	names = util_xstrdup("");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *name = str_member(json_object_array_get_idx(v, i), "name");
		char *next = util_strdup_printf("%s%s%s", names, i ? " " : "", name ? name : "?");

		free(names);
		names = next;
	}
	CHECK_STREQ(names, "a b c", "vm.list has the three VMs, sorted by name");
	free(names);
	json_object_put(vm);
}

static void test_create_failures(void)
{
	char *json, *msg;

	EXPECT_FAIL(&rw, "vm.create", params_of("{\"name\":\"a\"}"), RPC_ALREADY_EXISTS, NULL, NULL,
		    "VM 'a' already exists", "vm.create of an existing name -> 2, nothing changed");
	json = util_strdup_printf("{\"name\":\"a\",\"kernel\":\"%s/none\"}", files_dir);
	EXPECT_FAIL(&rw, "vm.create", params_of(json), RPC_ALREADY_EXISTS, NULL, NULL, NULL,
		    "vm.create of an existing name with a missing kernel -> 2");
	free(json);
	json = util_strdup_printf("{\"name\":\"k\",\"kernel\":\"%s/none\"}", files_dir);
	msg = util_strdup_printf("kernel file '%s/none': No such file or directory", files_dir);
	EXPECT_FAIL(&rw, "vm.create", params_of(json), RPC_NOT_FOUND, NULL, NULL, msg,
		    "vm.create with a missing kernel file -> 1, no file written");
	free(json);
	free(msg);
	json = util_strdup_printf("{\"name\":\"k\",\"kernel\":\"%s\",\"initrd\":\"%s/none\"}",
				  kernel_path, files_dir);
	EXPECT_FAIL(&rw, "vm.create", params_of(json), RPC_NOT_FOUND, NULL, NULL, NULL,
		    "vm.create with a missing initrd file -> 1, no file written");
	free(json);
	json = util_strdup_printf("{\"name\":\"k\",\"disks\":[\"%s\",\"%s/none\"]}", disk_path,
				  files_dir);
	EXPECT_FAIL(&rw, "vm.create", params_of(json), RPC_NOT_FOUND, NULL, NULL, NULL,
		    "vm.create with a missing disk -> 1, no file written");
	free(json);
	json = util_strdup_printf("{\"name\":\"k\",\"initrd\":\"%s\"}", initrd_path);
	EXPECT_FAIL(&rw, "vm.create", params_of(json), RPC_INVALID_PARAMS, "param", "initrd", NULL,
		    "vm.create with initrd but no kernel -> -32602, data.param initrd");
	free(json);
	json = util_strdup_printf("{\"name\":\"k\",\"kernel\":\"%s\"}", files_dir);
	EXPECT_FAIL(&rw, "vm.create", params_of(json), RPC_INVALID_PARAMS, "param", "kernel", NULL,
		    "vm.create with a directory as kernel -> -32602, data.param kernel");
	free(json);
}

static void test_state_errors(void)
{
	static const struct {
		const char *method, *params, *message;
	} cases[] = {
		{"vm.pause", "{\"vm\":\"a\"}", "cannot pause VM 'a': it is shut off"},
		{"vm.resume", "{\"vm\":\"a\"}", "cannot resume VM 'a': it is shut off"},
		{"vm.shutdown", "{\"vm\":\"a\"}", "cannot shut down VM 'a': it is shut off"},
		{"vm.shutdown", "{\"vm\":\"a\",\"force\":true,\"wait\":true,\"timeout\":1}", NULL},
		{"vm.reboot", "{\"vm\":\"a\"}", "cannot reboot VM 'a': it is shut off"},
		{"vm.reboot", "{\"vm\":\"a\",\"mode\":\"reset\"}", NULL},
		{"vm.stop", "{\"vm\":\"a\"}", "cannot stop VM 'a': it is shut off"},
		{"vm.console", "{\"vm\":\"a\"}",
		 "cannot attach to the console of VM 'a': it is shut off"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		EXPECT_FAIL(&rw, cases[i].method, params_of(cases[i].params), RPC_INVALID_STATE,
			    "state", "shut off", cases[i].message,
			    "%s %s of a shut-off VM -> 3, data.state", cases[i].method,
			    cases[i].params);
	}
}

static void test_read_only(void)
{
	json_object *r;

	for (const struct method_spec *m = api_methods; m->name; m++) {
		char *msg;

		if (!m->mutating) {
			continue;
		}
		msg = util_strdup_printf("method '%s' is not allowed on the read-only socket",
					 m->name);
		EXPECT_FAIL(&ro, m->name, base_params(m, "a"), RPC_PERMISSION_DENIED, NULL, NULL,
			    msg, "read-only client: %s -> 4, nothing changed", m->name);
		free(msg);
	}
	r = call_ok(&ro, "vm.list", NULL, "read-only client: vm.list is allowed");
	json_object_put(r);
	r = call_ok(&ro, "vm.info", "{\"vm\":\"a\"}", "read-only client: vm.info is allowed");
	json_object_put(r);
	r = call_ok(&ro, "host.info", NULL, "read-only client: host.info is allowed");
	json_object_put(r);
}

static void test_host_info(void)
{
	json_object *r = call_ok(&rw, "host.info", "{}", "host.info with empty params"), *v;

	CHECK_STREQ(str_member(r, "qemu"), "/bin/false", "host.info: the configured qemu");
	CHECK_STREQ(str_member(r, "default_accel"), "tcg", "host.info: accel tcg as configured");
	CHECK_EQ_INT(int_member(r, "vms_defined"), 3, "host.info: 3 VMs defined");
	CHECK_EQ_INT(int_member(r, "vms_running"), 0, "host.info: none running");
	CHECK(json_object_object_get_ex(r, "kvm", &v) &&
		      strcmp(str_member(v, "reason"), h.kvm.reason) == 0,
	      "host.info: the KVM reason hostd found");
	CHECK(json_object_object_get_ex(r, "default_guest", &v) &&
		      json_object_object_get_ex(v, "available", &v) && !json_object_get_boolean(v),
	      "host.info: the default guest is not available (empty guest dir)");
	json_object_put(r);
}

static void test_delete(void)
{
	json_object *vm = call_ok(&rw, "vm.create", "{\"name\":\"gone\"}", "vm.create 'gone'"), *r,
		    *list, *v;
	char *uuid = util_xstrdup(vm ? str_member(vm, "uuid") : "none"), *path = def_file(uuid);
	char *logs[2], *json, name64[65];

	json_object_put(vm);
	for (size_t i = 0; i < 2; i++) {
		FILE *f;

		logs[i] = util_strdup_printf("%s/logs/%s.%s.log", state_dir, uuid,
					     i ? "qemu" : "console");
		f = fopen(logs[i], "w");
		if (f) {
			fclose(f);
		}
	}
	CHECK(file_exists(path), "the definition of 'gone' exists");
	r = call_ok(&rw, "vm.delete", "{\"vm\":\"gone\"}", "vm.delete of a shut-off VM");
	CHECK_STREQ(str_member(r, "uuid"), uuid, "vm.delete returns the uuid");
	CHECK_STREQ(str_member(r, "name"), "gone", "vm.delete returns the name");
	json_object_put(r);
	CHECK(!file_exists(path), "vm.delete removes the definition file");
	CHECK(!file_exists(logs[0]) && !file_exists(logs[1]), "vm.delete removes the VM's logs");
	EXPECT_FAIL(&rw, "vm.info", params_of("{\"vm\":\"gone\"}"), RPC_NOT_FOUND, NULL, NULL,
		    "VM 'gone' not found", "vm.info after vm.delete -> 1");
	list = call_ok(&rw, "vm.list", NULL, "vm.list after vm.delete");
	CHECK(list && json_object_object_get_ex(list, "vms", &v) &&
		      json_object_array_length(v) == 3,
	      "the deleted VM is gone from vm.list");
	json_object_put(list);
	free(path);
	free(logs[0]);
	free(logs[1]);
	free(uuid);

	/* By UUID. */
	vm = call_ok(&rw, "vm.create", "{\"name\":\"gone2\"}", "vm.create 'gone2'");
	uuid = util_xstrdup(vm ? str_member(vm, "uuid") : "none");
	json_object_put(vm);
	json = util_strdup_printf("{\"vm\":\"%s\"}", uuid);
	r = call_ok(&rw, "vm.delete", json, "vm.delete by uuid");
	CHECK_STREQ(str_member(r, "name"), "gone2", "vm.delete by uuid deletes that VM");
	json_object_put(r);
	path = def_file(uuid);
	CHECK(!file_exists(path), "its file is removed");
	free(path);
	free(json);
	free(uuid);

	/* A name at the length limit, with every kind of character the pattern allows. */
	memset(name64, 'z', 64);
	memcpy(name64, "A-._9", 5);
	name64[64] = '\0';
	json = util_strdup_printf("{\"name\":\"%s\"}", name64);
	vm = call_ok(&rw, "vm.create", json, "vm.create with a 64-character name");
	CHECK_STREQ(str_member(vm, "name"), name64, "the 64-character name is kept whole");
	json_object_put(vm);
	free(json);
	json = util_strdup_printf("{\"vm\":\"%s\"}", name64);
	r = call_ok(&rw, "vm.delete", json, "vm.delete of it");
	json_object_put(r);
	free(json);
}

/* ---- Setup. ---- */

static void setup(void)
{
	char *guest;

	tmp = tap_tmpdir();
	files_dir = fixture_make_dir(tmp, "files");
	guest = fixture_make_dir(tmp, "guest");
	kernel_path = fixture_make_file(files_dir, "vmlinuz");
	initrd_path = fixture_make_file(files_dir, "initrd.img");
	disk_path = fixture_make_file(files_dir, "disk.img");
	fixture_hostd(&h, tmp, guest, VM_ACCEL_TCG, "unit test: KVM not probed");
	state_dir = h.cfg.state_dir;
	log_set_max_level(LOG_WARN_); /* mutations log at info: not needed here */
}

static void teardown(void)
{
	while (h.reg.n > 0) {
		registry_remove(&h.reg, h.reg.vms[0]);
	}
	free(h.reg.vms);
	event_base_free(h.base);
	free((char *)h.cfg.runtime_dir);
	free((char *)h.cfg.guest_dir);
	free((char *)h.cfg.state_dir);
	free(files_dir);
	free(kernel_path);
	free(initrd_path);
	free(disk_path);
	free(rw.out);
	free(ro.out);
	free(peek.out);
	json_object_put(api);
	tap_tmpdir_remove(tmp);
}

int main(void)
{
	setup();
	test_parse_errors();
	test_invalid_requests();
	test_method_not_found();
	test_ids();
	test_notifications();
	test_create();
	test_batches();
	test_every_method_params();
	test_create_params();
	test_create_full();
	test_create_failures();
	test_state_errors();
	test_read_only();
	test_host_info();
	test_delete();
	CHECK_EQ_INT(contract_violations, 0,
		     "every reply conforms to JSON-RPC 2.0 and the contract");
	CHECK_EQ_INT(ref_imbalances, 0, "every call released the client references it took");
	CHECK_EQ_INT(framing_problems, 0,
		     "every reply was one JSON text on one line, one per request");
	teardown();
	return tap_done();
}
