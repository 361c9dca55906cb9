/* A tiny test harness for the kcore tests: checks that report file:line and keep going. */
#ifndef KCORE_TEST_HARNESS_H
#define KCORE_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>

extern unsigned int test_failures;

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                                     \
		}                                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                                       \
	do {                                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);                          \
		if (a_ != b_) {                                                              \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n",   \
				__FILE__, __LINE__, #a, #b, a_, b_);                         \
			test_failures++;                                                     \
		}                                                                            \
	} while (0)

struct test_case {
	const char *name;
	void (*run)(void);
};

/* Each test file exports its list; main.c runs a group by name. */
extern const struct test_case tests_ownership[];
extern const struct test_case tests_s2[];
extern const struct test_case tests_vm[];
extern const struct test_case tests_attack[];
extern const struct test_case tests_random[];

#endif /* KCORE_TEST_HARNESS_H */
