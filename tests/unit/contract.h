/* Checks of hostd replies against JSON-RPC 2.0 and protocols/hostd-api.json (its JSON Schema). */
#pragma once

#include "tap.h"
#include "util.h"

#include <json-c/json.h>
#include <regex.h>

static json_object *api;             /* the contract, loaded by the test */
static unsigned contract_violations; /* each also printed as a TAP diagnostic */

static json_object *api_get(json_object *o, const char *k1, const char *k2)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, k1, &v) ||
	    (k2 && !json_object_object_get_ex(v, k2, &v))) {
		return NULL;
	}
	return v;
}

static json_object *schema_resolve(json_object *s)
{
	json_object *ref, *schemas = api_get(api_get(api, "components", NULL), "schemas", NULL);

	while (s && json_object_object_get_ex(s, "$ref", &ref)) {
		const char *r = strrchr(json_object_get_string(ref), '/');

		s = r ? api_get(schemas, r + 1, NULL) : NULL;
	}
	return s;
}

static bool type_matches(const char *type, json_object *v)
{
	static const struct {
		const char *name;
		json_type t;
	} types[] = {{"object", json_type_object},
		     {"array", json_type_array},
		     {"string", json_type_string},
		     {"integer", json_type_int},
		     {"boolean", json_type_boolean}};

	for (size_t i = 0; i < ELEMENTSOF(types); i++) {
		if (strcmp(types[i].name, type) == 0) {
			return json_object_is_type(v, types[i].t);
		}
	}
	return false;
}

static char *schema_check(json_object *schema, json_object *v, const char *where);

static char *schema_check_object(json_object *s, json_object *v, const char *where)
{
	json_object *req = api_get(s, "required", NULL), *props = api_get(s, "properties", NULL);
	json_object *extra = api_get(s, "additionalProperties", NULL);

	for (size_t i = 0; req && i < json_object_array_length(req); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(req, i));

		if (!json_object_object_get_ex(v, k, NULL)) {
			return util_strdup_printf("%s: required member '%s' is missing", where, k);
		}
	}
	json_object_object_foreach (v, key, member) {
		json_object *ps = props ? api_get(props, key, NULL) : NULL;
		char *sub, *err;

		if (!ps) {
			if (extra && !json_object_get_boolean(extra)) {
				return util_strdup_printf("%s: unknown member '%s'", where, key);
			}
			continue;
		}
		sub = util_strdup_printf("%s/%s", where, key);
		err = schema_check(ps, member, sub);
		free(sub);
		if (err) {
			return err;
		}
	}
	return NULL;
}

static char *schema_check_string(json_object *s, json_object *v, const char *where)
{
	json_object *e = api_get(s, "enum", NULL), *pattern = api_get(s, "pattern", NULL);
	const char *str = json_object_get_string(v);

	if (e) {
		bool found = false;

		for (size_t i = 0; i < json_object_array_length(e); i++) {
			found |= strcmp(json_object_get_string(json_object_array_get_idx(e, i)),
					str) == 0;
		}
		if (!found) {
			return util_strdup_printf("%s: '%s' is not one of the enum", where, str);
		}
	}
	if (pattern) {
		regex_t re;
		int r;

		if (regcomp(&re, json_object_get_string(pattern), REG_EXTENDED | REG_NOSUB) != 0) {
			return util_strdup_printf("%s: cannot compile the contract's pattern",
						  where);
		}
		r = regexec(&re, str, 0, NULL, 0);
		regfree(&re);
		if (r != 0) {
			return util_strdup_printf("%s: '%s' does not match %s", where, str,
						  json_object_get_string(pattern));
		}
	}
	return NULL;
}

/* NULL when v conforms, else a malloc'd description of the first mismatch (a JSON pointer). */
static char *schema_check(json_object *schema, json_object *v, const char *where)
{
	json_object *s = schema_resolve(schema), *t, *items;

	if (!s) {
		return util_strdup_printf("%s: the contract has a dangling $ref", where);
	}
	t = api_get(s, "type", NULL);
	if (t && !type_matches(json_object_get_string(t), v)) {
		return util_strdup_printf("%s: not of type %s: %s", where,
					  json_object_get_string(t), json_object_to_json_string(v));
	}
	if (json_object_is_type(v, json_type_string)) {
		return schema_check_string(s, v, where);
	}
	if (json_object_is_type(v, json_type_object)) {
		return schema_check_object(s, v, where);
	}
	items = api_get(s, "items", NULL);
	if (json_object_is_type(v, json_type_array) && items) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			char *sub = util_strdup_printf("%s/%zu", where, i);
			char *err = schema_check(items, json_object_array_get_idx(v, i), sub);

			free(sub);
			if (err) {
				return err;
			}
		}
	}
	return NULL;
}

static json_object *method_result_schema(const char *method)
{
	json_object *ms = api_get(api, "methods", NULL);

	for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);

		if (strcmp(json_object_get_string(api_get(m, "name", NULL)), method) == 0) {
			return api_get(api_get(m, "result", NULL), "schema", NULL);
		}
	}
	return NULL;
}

static bool error_code_known(int code)
{
	json_object *errs = api_get(api, "x-sekvm-errors", NULL);

	for (size_t i = 0; errs && i < json_object_array_length(errs); i++) {
		if (json_object_get_int(
			    api_get(json_object_array_get_idx(errs, i), "code", NULL)) == code) {
			return true;
		}
	}
	return false;
}

static void violation(const char *what, json_object *resp, char *msg)
{
	contract_violations++;
	tap_diag("contract: %s: %s in %s", what ? what : "reply", msg,
		 json_object_to_json_string(resp));
	free(msg);
}

/* Check one response object against JSON-RPC 2.0 and the contract; method: what was called. */
static void check_response(json_object *resp, const char *method)
{
	json_object *result = NULL, *error = NULL, *v;
	bool has_result, has_error;

	if (!json_object_is_type(resp, json_type_object)) {
		violation(method, resp, util_xstrdup("not an object"));
		return;
	}
	json_object_object_foreach (resp, key, val) {
		if (strcmp(key, "jsonrpc") && strcmp(key, "id") && strcmp(key, "result") &&
		    strcmp(key, "error")) {
			violation(method, resp, util_strdup_printf("unknown member '%s'", key));
		}
	}
	if (!json_object_object_get_ex(resp, "jsonrpc", &v) ||
	    strcmp(json_object_get_string(v), "2.0") != 0) {
		violation(method, resp, util_xstrdup("no \"jsonrpc\": \"2.0\""));
	}
	if (!json_object_object_get_ex(resp, "id", NULL)) {
		violation(method, resp, util_xstrdup("no id member"));
	}
	has_result = json_object_object_get_ex(resp, "result", &result);
	has_error = json_object_object_get_ex(resp, "error", &error);
	if (has_result == has_error) {
		violation(method, resp, util_xstrdup("not exactly one of result and error"));
	} else if (has_error) {
		json_object_object_foreach (error, ekey, eval) {
			if (strcmp(ekey, "code") && strcmp(ekey, "message") &&
			    strcmp(ekey, "data")) {
				violation(method, resp,
					  util_strdup_printf("unknown error member '%s'", ekey));
			}
		}
		if (!json_object_object_get_ex(error, "code", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    !error_code_known(json_object_get_int(v))) {
			violation(method, resp, util_xstrdup("error code not in x-sekvm-errors"));
		}
		if (!json_object_object_get_ex(error, "message", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) == 0) {
			violation(method, resp, util_xstrdup("error without a message"));
		}
	} else if (method && method_result_schema(method)) {
		char *err = schema_check(method_result_schema(method), result, "result");

		if (err) {
			violation(method, resp, err);
		}
	}
}
