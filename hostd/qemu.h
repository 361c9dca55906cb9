/* The qemu backend: one QEMU process per running VM, driven over QMP, outliving hostd. */
#pragma once

#include <stdbool.h>

struct hostd;
struct vm;

/* Completion of an asynchronous operation: err is NULL on success, else QEMU's words. */
typedef void (*qemu_done_fn)(struct hostd *h, struct vm *vm, void *ud, const char *err);

/*
 * Launch QEMU stopped, connect QMP and the serial console, then let the vCPUs run. The VM becomes
 * running, or shut off (failed) with QEMU's error; either way hostd_vm_settled() tells.
 */
int qemu_start(struct hostd *h, struct vm *vm, char **ret_err);
/* Press the ACPI power button; after timeout seconds, stop if force, else give up. */
void qemu_shutdown(struct hostd *h, struct vm *vm, int timeout, bool force);
/* Pull the plug: quit over QMP, SIGKILL if QEMU does not go. */
void qemu_stop(struct hostd *h, struct vm *vm);
void qemu_pause(struct hostd *h, struct vm *vm, qemu_done_fn done, void *ud);
void qemu_resume(struct hostd *h, struct vm *vm, qemu_done_fn done, void *ud);
/* acpi: power button, then reset instead of power-off when the guest goes down. */
void qemu_reboot(struct hostd *h, struct vm *vm, bool acpi, qemu_done_fn done, void *ud);
int qemu_pid(const struct vm *vm);
const char *qemu_accel_used(const struct vm *vm);
/* What is in progress, for "busy" errors: NULL when nothing. */
const char *qemu_busy(const struct vm *vm);
/* Re-connected after a hostd restart and QEMU has not told its run state yet. */
bool qemu_adopting(const struct vm *vm);

/* At hostd start: find the QEMU of a VM that ran before, and take it back. */
void qemu_adopt(struct hostd *h, struct vm *vm);
/* At hostd exit: let go of QEMU (it keeps running). */
void qemu_release(struct vm *vm);
