/* Persistent VM definitions: one JSON file per VM in <state-dir>/vms, written atomically. */
#pragma once

#include "vm.h"

/* Write (create or replace) the definition; on success it is on disk (fsync'd file and dir). */
int store_save(const char *state_dir, const struct vm_config *cfg);
int store_delete(const char *state_dir, const char *uuid);
/* Load every definition into reg; broken files are logged and left alone, never deleted. */
int store_load_all(const char *state_dir, struct registry *reg);
