/* JSON-RPC 2.0: request validation, dispatch through the method table, replies now or later. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "params.h"

enum rpc_code {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
	RPC_NOT_FOUND = 1,
	RPC_ALREADY_EXISTS = 2,
	RPC_INVALID_STATE = 3,
	RPC_PERMISSION_DENIED = 4,
	RPC_RESOURCE_EXHAUSTED = 5,
	RPC_BACKEND_FAILURE = 6,
	RPC_TIMEOUT = 7,
};

/* Each request of a batch costs a call and a response: a 1 MiB line must not cost a gigabyte. */
#define RPC_MAX_BATCH 256
#define RPC_MAX_BATCH_STR "256"
#define RPC_MAX_BATCH_REPLY (4 * 1024 * 1024) /* bytes of a batch's replies, kept until it ends */
#define RPC_MAX_BATCH_REPLY_STR "4 MiB"

/* A connection as the RPC layer sees it; the server embeds one in each client. */
struct rpc_client {
	void (*send)(struct rpc_client *c, const char *line, size_t len);
	void (*ref)(struct rpc_client *c);
	void (*unref)(struct rpc_client *c);
	struct ucred cred;
	bool read_only;
};

struct rpc_call;
struct vm;

/*
 * A method handler. It replies with rpc_reply() or rpc_fail(), now or later (keeping the call),
 * and returns 0; a negative errno return means it did not reply and hit an unexpected failure.
 */
typedef int (*rpc_handler_fn)(struct rpc_call *call, json_object *params);

struct rpc_method {
	const char *name;
	rpc_handler_fn handler;
};

/* Set by the program: handler table and the lookup of 'vm' params (name or UUID). */
void rpc_setup(const struct rpc_method *methods, struct vm *(*find_vm)(void *ctx, const char *ref),
	       void *ctx);

/* Handle one received line from client c. */
void rpc_handle_line(struct rpc_client *c, const char *line, size_t len);

/* Reply to a call; takes ownership of result. Each call is replied to exactly once. */
void rpc_reply(struct rpc_call *call, json_object *result);
void rpc_fail(struct rpc_call *call, int code, json_object *data, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void *rpc_call_ctx(struct rpc_call *call);
struct vm *rpc_call_vm(struct rpc_call *call);
struct rpc_client *rpc_call_client(struct rpc_call *call);
const char *rpc_call_method(struct rpc_call *call);
bool rpc_call_batched(struct rpc_call *call);
