/* kcore image key files: read and format the one-line text (no crypto: the tests link it too). */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const keyfile_tags[] = {
	[KEYFILE_PUBLIC] = "kcore-ed25519-public-v1",
	[KEYFILE_SECRET] = "kcore-ed25519-secret-v1",
};

size_t keyfile_key_bytes(enum keyfile_kind kind)
{
	return kind == KEYFILE_SECRET ? KEYFILE_SECRET_BYTES : KEYFILE_PUBLIC_BYTES;
}

const char *keyfile_tag(enum keyfile_kind kind)
{
	return keyfile_tags[kind];
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* The whole file into buf (NUL-terminated); -EFBIG if it cannot be a key file. */
static int keyfile_slurp(const char *path, char buf[KEYFILE_TEXT_MAX], size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	while ((n = read(fd, buf + len, KEYFILE_TEXT_MAX - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			r = -errno;
			goto out;
		}
		len += (size_t)n;
		if (len == KEYFILE_TEXT_MAX - 1) {
			r = -EFBIG;
			goto out;
		}
	}
	buf[len] = '\0';
	*ret_len = len;
out:
	close(fd);
	return r;
}

/* "TAG HEX\n" (the newline optional) of kind, into ret_key; NULL, or what is wrong. */
static const char *keyfile_parse(const char *text, size_t len, enum keyfile_kind kind,
				 uint8_t *ret_key)
{
	size_t tag_len = strlen(keyfile_tags[kind]), key_len = keyfile_key_bytes(kind), i;
	enum keyfile_kind other = kind == KEYFILE_PUBLIC ? KEYFILE_SECRET : KEYFILE_PUBLIC;
	uint8_t key[KEYFILE_SECRET_BYTES];
	const char *hex;
	int hi, lo;

	if (strncmp(text, keyfile_tags[other], strlen(keyfile_tags[other])) == 0) {
		return kind == KEYFILE_PUBLIC ? "this is a secret key; a public key is needed here"
					      : "this is a public key; a secret key is needed here";
	}
	if (strlen(text) != len || strncmp(text, keyfile_tags[kind], tag_len) != 0 ||
	    text[tag_len] != ' ') {
		return kind == KEYFILE_PUBLIC
			       ? "not a kcore public key (it starts 'kcore-ed25519-public-v1 ')"
			       : "not a kcore secret key (it starts 'kcore-ed25519-secret-v1 ')";
	}
	hex = text + tag_len + 1;
	len -= tag_len + 1;
	if (len == 2 * key_len + 1 && hex[2 * key_len] == '\n') {
		len--;
	}
	if (len != 2 * key_len) {
		return kind == KEYFILE_PUBLIC ? "the key is not 64 hex digits on one line"
					      : "the key is not 128 hex digits on one line";
	}
	for (i = 0; i < key_len; i++) {
		hi = hex_digit(hex[2 * i]);
		lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return "the key has a character that is not a hex digit";
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret_key, key, key_len);
	explicit_bzero(key, sizeof(key));
	return NULL;
}

int keyfile_read(const char *path, enum keyfile_kind kind, uint8_t *ret_key, const char **ret_why)
{
	char text[KEYFILE_TEXT_MAX];
	const char *why;
	size_t len = 0;
	int r;

	r = keyfile_slurp(path, text, &len);
	if (r < 0) {
		*ret_why = r == -EFBIG ? "too large for a kcore key file" : strerror(-r);
		goto out;
	}
	why = keyfile_parse(text, len, kind, ret_key);
	if (why != NULL) {
		*ret_why = why;
		r = -EBADMSG;
	}
out:
	explicit_bzero(text, sizeof(text));
	return r;
}

size_t keyfile_format(enum keyfile_kind kind, const uint8_t *key, char buf[KEYFILE_TEXT_MAX])
{
	static const char digits[] = "0123456789abcdef";
	size_t n = strlen(keyfile_tags[kind]), i;

	memcpy(buf, keyfile_tags[kind], n);
	buf[n++] = ' ';
	for (i = 0; i < keyfile_key_bytes(kind); i++) {
		buf[n++] = digits[key[i] >> 4];
		buf[n++] = digits[key[i] & 15u];
	}
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}
