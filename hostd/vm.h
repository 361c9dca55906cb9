/* The VM model: definition, state and reason (libvirt's model), and the registry of all VMs. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define VM_NAME_MAX 64
#define VM_MAX_DISKS 8
#define VM_MAX_COUNT 4096

enum vm_state { VM_SHUTOFF, VM_RUNNING, VM_PAUSED, VM_IN_SHUTDOWN, VM_CRASHED };

enum vm_reason {
	VM_REASON_UNKNOWN,
	VM_REASON_DEFINED,   /* shut off: never started */
	VM_REASON_BOOTED,    /* running */
	VM_REASON_USER,      /* running after resume, paused, in shutdown */
	VM_REASON_SHUTDOWN,  /* shut off: the guest powered off */
	VM_REASON_DESTROYED, /* shut off: stopped by a user */
	VM_REASON_CRASHED,   /* crashed: QEMU exited unasked */
	VM_REASON_FAILED,    /* shut off: QEMU did not start */
	VM_REASON_RESET,     /* running after a reset */
};

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

struct vm_config {
	char uuid[UUID_STR_LEN + 1];
	char name[VM_NAME_MAX + 1];
	long memory_mib;
	long vcpus;
	char *kernel; /* NULL: the bundled default guest */
	char *initrd;
	char *cmdline; /* NULL: the default guest's command line */
	char *disks[VM_MAX_DISKS];
	size_t n_disks;
	enum vm_accel accel;
	bool autostart;
};

struct qemu;
struct console;
struct waiter;
struct queued;
struct event;

struct vm {
	struct vm_config cfg;
	enum vm_state state;
	enum vm_reason reason;
	char *error;              /* last start or crash detail, for vm.info */
	struct qemu *qemu;        /* the running QEMU, NULL when shut off or crashed */
	struct console *console;  /* serial output kept across runs */
	struct waiter *waiters;   /* calls answered when the VM stops */
	struct queued *queue;     /* operations waiting for the one in progress */
	struct event *queue_ev;   /* runs the queue once the VM is no longer busy */
};

const char *vm_state_name(enum vm_state s);
const char *vm_reason_name(enum vm_reason r);
const char *vm_accel_name(enum vm_accel a);
int vm_accel_from_name(const char *s, enum vm_accel *ret);
bool vm_is_active(const struct vm *vm); /* QEMU exists: running, paused or in shutdown */

void vm_config_clear(struct vm_config *c);
/* Definition as stored on disk. */
json_object *vm_config_to_json(const struct vm_config *c);
/* Parse and check a stored definition; on error a malloc'd message says what is wrong. */
int vm_config_from_json(json_object *o, struct vm_config *ret, char **ret_msg);

void vm_set_error(struct vm *vm, const char *error);

/* All VMs; lookup by name or UUID. */
struct registry {
	struct vm **vms;
	size_t n, cap;
};

struct vm *registry_find(const struct registry *r, const char *name_or_uuid);
struct vm *registry_add(struct registry *r, const struct vm_config *cfg); /* takes cfg's strings */
void registry_remove(struct registry *r, struct vm *vm);
void registry_sort(struct registry *r);
