/* The method table: one handler per method of protocols/hostd-api.json. */
#pragma once

#include "rpc.h"

struct hostd;

extern const struct rpc_method methods[];

int method_host_info(struct rpc_call *call, json_object *params);
int method_vm_create(struct rpc_call *call, json_object *params);
int method_vm_list(struct rpc_call *call, json_object *params);
int method_vm_info(struct rpc_call *call, json_object *params);
int method_vm_delete(struct rpc_call *call, json_object *params);
int method_vm_start(struct rpc_call *call, json_object *params);
int method_vm_shutdown(struct rpc_call *call, json_object *params);
int method_vm_stop(struct rpc_call *call, json_object *params);
int method_vm_reboot(struct rpc_call *call, json_object *params);
int method_vm_pause(struct rpc_call *call, json_object *params);
int method_vm_resume(struct rpc_call *call, json_object *params);
int method_vm_console(struct rpc_call *call, json_object *params);
int method_vm_autostart(struct rpc_call *call, json_object *params);
int method_events_subscribe(struct rpc_call *call, json_object *params);

/* Shared by handlers: the call waits its turn in the VM's queue (re-run by the handler self once
 * nothing is in progress), or fails with resource_exhausted when the queue is full. */
void method_wait_turn(struct rpc_call *call, struct vm *vm, json_object *params, rpc_handler_fn self);

/* Shared by handlers: fail with invalid_state naming the VM and its state. */
void method_fail_state(struct rpc_call *call, struct vm *vm, const char *what);
