/* hostd's listening socket and client connections: JSON-RPC lines, or a console byte stream. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct rpc_client;
struct vm;

#define SERVER_MAX_CLIENTS 1024 /* per socket */
#define SERVER_MAX_OUTPUT (8 * 1024 * 1024) /* a client this far behind is dropped */
#define SERVER_MAX_EVENT_BACKLOG (1024 * 1024) /* a subscriber this far behind is cut off */

struct server;

struct server *server_new(struct event_base *base);
/* Serve clients on a listening socket fd (taken); on a read_only one, mutating methods are refused. */
void server_listen(struct server *s, int listen_fd, bool read_only);
void server_free(struct server *s);

/* Send a JSON-RPC notification to every subscribed client. */
void server_notify(struct server *s, json_object *notification);
/* Client c receives notifications from now on. */
void server_subscribe(struct rpc_client *c);

/*
 * Console mode, in two steps around the reply line: attach client c to vm's console (with follow;
 * -EBUSY when write is asked and another client writes), then after the reply, replay the kept
 * output and either go on passing output and input, or (without follow) close.
 */
int server_console_attach(struct rpc_client *c, struct vm *vm, bool follow, bool write, bool force);
void server_console_begin(struct rpc_client *c, struct vm *vm, bool replay, bool follow);
