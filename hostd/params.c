/* Request parameter checking against the tables generated from protocols/hostd-api.json. */
#include "params.h"

#include "util.h"

#include <errno.h>
#include <string.h>

const struct method_spec *params_find_method(const char *name)
{
	for (const struct method_spec *m = api_methods; m->name; m++) {
		if (strcmp(m->name, name) == 0) {
			return m;
		}
	}
	return NULL;
}

const struct param_spec *params_find(const struct method_spec *m, const char *name)
{
	for (const struct param_spec *p = m->params; p->name; p++) {
		if (strcmp(p->name, name) == 0) {
			return p;
		}
	}
	return NULL;
}

/* ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ */
bool params_vm_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
			return false;
		}
	}
	return true;
}

static char *check_string(const struct param_spec *p, const char *s, size_t len)
{
	if (strlen(s) != len) {
		return util_strdup_printf("parameter '%s' contains a NUL byte", p->name);
	}
	if ((int64_t)len < p->min_len || (int64_t)len > p->max_len) {
		return util_strdup_printf("parameter '%s' must be %lld to %lld characters long", p->name,
					  (long long)p->min_len, (long long)p->max_len);
	}
	if (p->format == PARAM_FMT_VM_NAME && !params_vm_name_valid(s)) {
		return util_strdup_printf("invalid VM name '%s': use 1 to 64 letters, digits, '.', '_' or "
					  "'-', starting with a letter or digit", s);
	}
	if (p->format == PARAM_FMT_ABS_PATH && s[0] != '/') {
		return util_strdup_printf("parameter '%s' must be an absolute path, not '%s'", p->name, s);
	}
	if (p->enum_values) {
		for (const char *const *e = p->enum_values; *e; e++) {
			if (strcmp(*e, s) == 0) {
				return NULL;
			}
		}
		return util_strdup_printf("parameter '%s' has the unknown value '%s'", p->name, s);
	}
	return NULL;
}

static char *check_array(const struct param_spec *p, json_object *v)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array)) {
		return util_strdup_printf("parameter '%s' must be an array of strings", p->name);
	}
	n = json_object_array_length(v);
	if ((int64_t)n > p->max) {
		return util_strdup_printf("parameter '%s' has %zu items; at most %lld are allowed", p->name,
					  n, (long long)p->max);
	}
	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(v, i);
		char *msg;

		if (!json_object_is_type(item, json_type_string)) {
			return util_strdup_printf("parameter '%s' must be an array of strings", p->name);
		}
		msg = check_string(p, json_object_get_string(item),
				   (size_t)json_object_get_string_len(item));
		if (msg) {
			return msg;
		}
	}
	return NULL;
}

static char *check_value(const struct param_spec *p, json_object *v)
{
	switch (p->type) {
	case PARAM_STRING:
		if (!json_object_is_type(v, json_type_string)) {
			return util_strdup_printf("parameter '%s' must be a string", p->name);
		}
		return check_string(p, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	case PARAM_INT: {
		int64_t i;

		/* json-c saturates out-of-range numbers: reject anything but a plain in-range int. */
		if (!json_object_is_type(v, json_type_int)) {
			return util_strdup_printf("parameter '%s' must be an integer", p->name);
		}
		errno = 0;
		i = json_object_get_int64(v);
		if (errno != 0 || i < p->min || i > p->max) {
			return util_strdup_printf("parameter '%s' must be between %lld and %lld", p->name,
						  (long long)p->min, (long long)p->max);
		}
		return NULL;
	}
	case PARAM_BOOL:
		if (!json_object_is_type(v, json_type_boolean)) {
			return util_strdup_printf("parameter '%s' must be true or false", p->name);
		}
		return NULL;
	case PARAM_STRING_ARRAY:
		return check_array(p, v);
	}
	return util_strdup_printf("parameter '%s' has an unsupported type", p->name);
}

int params_check(const struct method_spec *m, json_object *params, char **ret_msg,
		 const char **ret_param)
{
	if (params && !json_object_is_type(params, json_type_object)) {
		*ret_msg = util_xstrdup("params must be an object (by-name parameters)");
		*ret_param = "";
		return -EINVAL;
	}
	if (params) {
		json_object_object_foreach(params, key, val) {
			const struct param_spec *p = params_find(m, key);
			char *msg;

			if (!p) {
				*ret_msg = util_strdup_printf("unknown parameter '%s' for method '%s'", key,
							      m->name);
				*ret_param = key;
				return -EINVAL;
			}
			msg = check_value(p, val);
			if (msg) {
				*ret_msg = msg;
				*ret_param = p->name;
				return -EINVAL;
			}
		}
	}
	for (const struct param_spec *p = m->params; p->name; p++) {
		if (p->required && !(params && json_object_object_get_ex(params, p->name, NULL))) {
			*ret_msg = util_strdup_printf("missing parameter '%s' for method '%s'", p->name,
						      m->name);
			*ret_param = p->name;
			return -EINVAL;
		}
	}
	return 0;
}

const char *params_str(json_object *params, const char *name, const char *def)
{
	json_object *v;

	return params && json_object_object_get_ex(params, name, &v) ? json_object_get_string(v) : def;
}

int64_t params_int(json_object *params, const char *name, int64_t def)
{
	json_object *v;

	return params && json_object_object_get_ex(params, name, &v) ? json_object_get_int64(v) : def;
}

bool params_bool(json_object *params, const char *name, bool def)
{
	json_object *v;

	return params && json_object_object_get_ex(params, name, &v) ? json_object_get_boolean(v) : def;
}
