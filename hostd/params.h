/* Request parameter checking against the tables generated from protocols/hostd-api.json. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

enum param_type { PARAM_STRING, PARAM_INT, PARAM_BOOL, PARAM_STRING_ARRAY };
enum param_format { PARAM_FMT_NONE, PARAM_FMT_VM_NAME, PARAM_FMT_ABS_PATH };

struct param_spec {
	const char *name; /* NULL ends a list */
	bool required;
	enum param_type type;
	enum param_format format;
	int64_t min, max; /* PARAM_INT range; PARAM_STRING_ARRAY: max = most items */
	int64_t min_len, max_len;
	const char *const *enum_values;
};

struct method_spec {
	const char *name; /* NULL ends the table */
	bool mutating;
	const struct param_spec *params;
};

extern const struct method_spec api_methods[];

const struct method_spec *params_find_method(const char *name);
const struct param_spec *params_find(const struct method_spec *m, const char *name);
bool params_vm_name_valid(const char *s);

/*
 * Check params (an object, or NULL for none) against m. On failure, returns -EINVAL and a
 * malloc'd message naming the parameter and what is wrong, plus the parameter's name.
 */
int params_check(const struct method_spec *m, json_object *params, char **ret_msg,
		 const char **ret_param);

/* Typed getters for checked params: return the default when the parameter is absent. */
const char *params_str(json_object *params, const char *name, const char *def);
int64_t params_int(json_object *params, const char *name, int64_t def);
bool params_bool(json_object *params, const char *name, bool def);
