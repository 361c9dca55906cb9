/* Benchmark: hostd's vm.info round trip (p50, p99) and requests per second with N clients. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct worker {
	const char *path;
	int calls;
	double *lat; /* seconds, one per call */
	int failed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

/* One request, then read until the reply's newline. */
static int round_trip(int fd, const char *req, size_t len)
{
	char buf[65536];

	if (write(fd, req, len) != (ssize_t)len) {
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0) {
			return -1;
		}
		if (buf[n - 1] == '\n') {
			return strstr(buf, "\"result\"") ? 0 : -1;
		}
	}
}

static void *run(void *arg)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vm.info\",\"params\":{\"vm\":\"bench\"}}\n";
	struct worker *w = arg;
	int fd = connect_to(w->path);

	for (int i = 0; i < w->calls; i++) {
		double t0 = now();

		w->failed += round_trip(fd, req, sizeof(req) - 1) < 0;
		w->lat[i] = now() - t0;
	}
	close(fd);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench(const char *path, int clients, int total)
{
	int per = total / clients, n = per * clients, failed = 0;
	struct worker *w = calloc((size_t)clients, sizeof(*w));
	pthread_t *t = calloc((size_t)clients, sizeof(*t));
	double *all = calloc((size_t)n, sizeof(double)), t0, secs;

	t0 = now();
	for (int i = 0; i < clients; i++) {
		w[i] = (struct worker){path, per, all + i * per, 0};
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	for (int i = 0; i < clients; i++) {
		pthread_join(t[i], NULL);
		failed += w[i].failed;
	}
	secs = now() - t0;
	qsort(all, (size_t)n, sizeof(double), cmp);
	printf("%7d %9d %12.0f %10.1f %10.1f %7d\n", clients, n, n / secs, all[n / 2] * 1e6,
	       all[(size_t)(n * 0.99)] * 1e6, failed);
	free(all);
	free(t);
	free(w);
}

int main(int argc, char **argv)
{
	int total = argc > 2 ? atoi(argv[2]) : 20000;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-rpc SOCKET [CALLS]\n(needs a VM named 'bench' defined)\n");
		return 2;
	}
	printf("vm.info round trips over %s\n", argv[1]);
	printf("%7s %9s %12s %10s %10s %7s\n", "clients", "calls", "calls/s", "p50 us", "p99 us", "failed");
	for (int c = 1; c <= 64; c *= 8) {
		bench(argv[1], c, total);
	}
	return 0;
}
