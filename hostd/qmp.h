/* A QMP client on libevent: greeting and capabilities, commands with callbacks, events. */
#pragma once

#include <json-c/json.h>

struct event_base;
struct qmp;

/* err_desc is NULL on success (ret is the "return" member), else QEMU's error or why it went away. */
typedef void (*qmp_reply_fn)(void *ud, json_object *ret, const char *err_desc);
typedef void (*qmp_event_fn)(void *ud, const char *event, json_object *data);
typedef void (*qmp_closed_fn)(void *ud);

/* Takes fd (a connected socket); commands sent before the greeting wait for it. */
struct qmp *qmp_new(struct event_base *base, int fd, qmp_event_fn on_event, qmp_closed_fn on_closed,
		    void *ud);
/* Send a command; takes args. cb may be NULL. */
void qmp_command(struct qmp *q, const char *command, json_object *args, qmp_reply_fn cb, void *ud);
/* Read and handle whatever QEMU has already written (used when QEMU's exit is seen first). */
void qmp_drain(struct qmp *q);
/* Close; pending commands are answered with an error first. */
void qmp_free(struct qmp *q);
