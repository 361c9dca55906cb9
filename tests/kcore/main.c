/* kcore-test GROUP: runs one group of kcore model-machine tests and prints "N passed, N failed". */
#include <string.h>

#include "harness.h"

unsigned int test_failures;

static const struct {
	const char *name;
	const struct test_case *cases;
} groups[] = {
	{ "ownership", tests_ownership }, { "s2", tests_s2 },	     { "vm", tests_vm },
	{ "attack", tests_attack },	  { "random", tests_random },
};

static int run_group(const struct test_case *cases)
{
	unsigned int passed = 0, failed = 0, before;

	for (; cases->name != NULL; cases++) {
		before = test_failures;
		cases->run();
		if (test_failures == before) {
			passed++;
		} else {
			fprintf(stderr, "FAIL %s\n", cases->name);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc == 2 && i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(argv[1], groups[i].name) == 0) {
			return run_group(groups[i].cases);
		}
	}
	fprintf(stderr, "usage: %s ownership|s2|vm|attack|random\n", argv[0]);
	return 2;
}
