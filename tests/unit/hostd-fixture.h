/* A real struct hostd on a temporary directory, for test-rpc.c and tests/fuzz/fuzz-rpc.c. */
#pragma once

#include "contract.h"
#include "hostd.h"
#include "methods.h"
#include "rpc.h"
#include "store.h"
#include "util.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef HOSTD_API_JSON
#error "HOSTD_API_JSON: the path of protocols/hostd-api.json"
#endif

/* parent/name, made with its parents; exit status 99 (a hard error to meson) if it cannot be. */
static inline char *fixture_make_dir(const char *parent, const char *name)
{
	char *p = util_strdup_printf("%s/%s", parent, name);

	if (util_mkdir_p(p, 0750) < 0) {
		perror(p);
		exit(99);
	}
	return p;
}

/* dir/name, a small file where a kernel, initramfs or disk image is expected; exit 99 on failure. */
static inline char *fixture_make_file(const char *dir, const char *name)
{
	char *p = util_strdup_printf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	if (!f || fputs("not really a kernel\n", f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(99);
	}
	return p;
}

static inline struct vm *fixture_find_vm(void *ctx, const char *ref)
{
	return registry_find(&((struct hostd *)ctx)->reg, ref);
}

/*
 * h as hostd's main sets it up, on directories below root: root/state (with vms/ and logs/) and
 * root/run (with vms/), allocated and left to the caller in h->cfg; guest_dir the default guest;
 * QEMU /bin/false, so that vm.start fails cleanly; a socket path that is never bound. accel is
 * what 'auto' means and kvm_reason what host.info says of KVM, which is not probed. The VMs defined
 * in the state directory are loaded, the real method table is set up over h and the contract is
 * loaded into api (contract.h). Any failure exits 99.
 */
static inline void fixture_hostd(struct hostd *h, const char *root, const char *guest_dir,
				 enum vm_accel accel, const char *kvm_reason)
{
	char *state = fixture_make_dir(root, "state");
	char *run = fixture_make_dir(root, "run");

	free(fixture_make_dir(state, "vms"));
	free(fixture_make_dir(state, "logs"));
	free(fixture_make_dir(run, "vms"));
	api = json_object_from_file(HOSTD_API_JSON);
	if (!api) {
		fprintf(stderr, "cannot read %s\n", HOSTD_API_JSON);
		exit(99);
	}
	h->base = event_base_new();
	h->cfg = (struct hostd_config){.state_dir = state,
				       .runtime_dir = run,
				       .socket_path = "/nonexistent/hostd.sock",
				       .guest_dir = guest_dir,
				       .qemu = "/bin/false",
				       .accel = accel};
	snprintf(h->kvm.reason, sizeof(h->kvm.reason), "%s", kvm_reason);
	if (!h->base || store_load_all(state, &h->reg) < 0) {
		exit(99);
	}
	rpc_setup(methods, fixture_find_vm, h);
}
