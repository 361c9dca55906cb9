/* vmctl.h: the command table, the hostd client and the output helpers that vmctl's files share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <json-c/json.h>

/*
 * Convention: a function that returns a negative errno has already told the user why, on stderr,
 * once. Callers only pass the value up; main turns it into exit status 1.
 */

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(vmctl_freep)
#define _cleanup_json_ _cleanup_(vmctl_json_putp)
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		typeof(p) _take_ = (p);                                                            \
		(p) = NULL;                                                                        \
		_take_;                                                                            \
	})

static inline void vmctl_freep(void *p)
{
	free(*(void **)p);
}

static inline void vmctl_json_putp(json_object **p)
{
	json_object_put(*p);
}

#define VMCTL_DEFAULT_SOCKET "/run/sekvm/hostd.sock"
#define VMCTL_SOCKET_ENV     "SEKVM_SOCKET"
/* One JSON text including its '\n' (protocols/hostd-api.json, info.description). */
#define VMCTL_LINE_MAX (1024 * 1024)

enum vmctl_exit {
	VMCTL_EXIT_OK = 0,
	VMCTL_EXIT_FAIL = 1,
	VMCTL_EXIT_USAGE = 2,
};

/* ---- the command table (main.c lists the rows, args.c parses and prints them) ---- */

enum vmctl_arg_type {
	VMCTL_ARG_FLAG, /* no argument */
	VMCTL_ARG_STR,
	VMCTL_ARG_PATH, /* a file; the command makes it absolute */
	VMCTL_ARG_UINT, /* decimal, 0..INT_MAX; hostd checks the range of the contract */
	VMCTL_ARG_ENUM, /* one of the words of .arg, "a|b|c" */
};

#define VMCTL_OPT_MULTI (1u << 0) /* may be given more than once; values are kept in order */

struct vmctl_opt {
	const char *name; /* long option, without "--" */
	enum vmctl_arg_type type;
	const char *arg; /* the argument's name in help texts; NULL for a flag */
	const char *help;
	unsigned flags;
};

#define VMCTL_OPTS_MAX 12

struct vmctl_val {
	bool set;
	const char *str;   /* the last value given */
	int num;	   /* VMCTL_ARG_UINT */
	const char **list; /* VMCTL_OPT_MULTI: every value, in order */
	size_t n;
};

struct vmctl_ctx {
	const char *socket;
	bool json;
};

struct vmctl_cmd;

struct vmctl_args {
	const struct vmctl_cmd *cmd;
	const char *vm;			      /* NAME, for commands with VMCTL_CMD_VM */
	struct vmctl_val val[VMCTL_OPTS_MAX]; /* indexed like cmd->opts */
};

#define VMCTL_CMD_VM (1u << 0) /* takes one NAME: a VM's name or UUID */

struct vmctl_cmd {
	const char *name;
	int (*run)(struct vmctl_ctx *ctx, const struct vmctl_args *args);
	const char *summary;
	const struct vmctl_opt *opts; /* ends with a row whose name is NULL */
	unsigned flags;
};

extern const struct vmctl_cmd vmctl_cmd_host, vmctl_cmd_create, vmctl_cmd_list, vmctl_cmd_info,
	vmctl_cmd_start, vmctl_cmd_shutdown, vmctl_cmd_stop, vmctl_cmd_reboot, vmctl_cmd_pause,
	vmctl_cmd_resume, vmctl_cmd_delete, vmctl_cmd_console, vmctl_cmd_autostart, vmctl_cmd_events;

/* args.c */
int vmctl_args_parse(const struct vmctl_cmd *cmd, int argc, char **argv, struct vmctl_ctx *ctx,
		     struct vmctl_args *ret_args);
void vmctl_args_done(struct vmctl_args *args);
void vmctl_opts_print(const struct vmctl_opt *opts);

/* client.c */
struct vmctl_conn;
int vmctl_conn_open(const char *path, struct vmctl_conn **ret_conn);
void vmctl_conn_close(struct vmctl_conn *conn);
int vmctl_conn_call(struct vmctl_conn *conn, const char *method, json_object *params,
		    json_object **ret_result);
int vmctl_conn_fd(const struct vmctl_conn *conn);
int vmctl_conn_notification(struct vmctl_conn *conn, json_object **ret_msg);
size_t vmctl_conn_pending(const struct vmctl_conn *conn, const char **ret_data);
int vmctl_call(const struct vmctl_ctx *ctx, const char *method, json_object *params,
	       json_object **ret_result);
int vmctl_write_stdout(const void *buf, size_t n);
int vmctl_send_all(int fd, const void *buf, size_t n);

static inline void vmctl_conn_closep(struct vmctl_conn **conn)
{
	vmctl_conn_close(*conn);
}

/* params.c: request params; allocation failure ends the program, as in tmux's xmalloc */
json_object *vmctl_params_new(void);
json_object *vmctl_params_vm(const char *vm);
void vmctl_params_str(json_object *params, const char *key, const char *value);
void vmctl_params_int(json_object *params, const char *key, long long value);
void vmctl_params_bool(json_object *params, const char *key, bool value);
json_object *vmctl_params_array(json_object *params, const char *key);
void vmctl_params_push_str(json_object *array, const char *value);
_Noreturn void vmctl_oom(void);

/* output.c */
void vmctl_json_print(json_object *obj);
const char *vmctl_json_str(json_object *obj, const char *key);
long long vmctl_json_int(json_object *obj, const char *key);
bool vmctl_json_bool(json_object *obj, const char *key);
int vmctl_print_done(const struct vmctl_ctx *ctx, json_object *result, const char *what);
int vmctl_call_done(const struct vmctl_ctx *ctx, const char *method, json_object *params,
		    const char *what);
const char *vmctl_dash(const char *s);
_printf_(2, 3) void vmctl_kv(const char *key, const char *fmt, ...);
int vmctl_flush_stdout(void);

struct vmctl_table;
struct vmctl_table *vmctl_table_new(size_t ncols, const char *const *headers);
void vmctl_table_add(struct vmctl_table *t, const char *const *cells);
void vmctl_table_print(const struct vmctl_table *t);
void vmctl_table_free(struct vmctl_table *t);

static inline void vmctl_table_freep(struct vmctl_table **t)
{
	vmctl_table_free(*t);
}

/* tty.c */
int vmctl_tty_raw(int fd);
void vmctl_tty_restore(void);
