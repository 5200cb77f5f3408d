/* Ed25519 signing keys: key files, text forms, and that they sign and verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "relaygate/sign_key.h"

static char dir[] = "/tmp/rg-signkey-XXXXXX";

static void write_file(const char *path, const char *data, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(data, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_store_load(void **state)
{
	struct rg_sign_key k, got;
	struct rg_err err;
	struct stat st;
	char path[128], text[128];
	uint8_t sig[RG_SIGN_SIG_LEN];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/sign.key", dir);
	assert_int_equal(rg_sign_key_generate(&k), 0);
	assert_int_equal(rg_sign_key_store(path, &k, 1, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, strlen(RG_SIGN_PRIVATE_PREFIX) + 64 + 1);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_memory_equal(text, RG_SIGN_PRIVATE_PREFIX, strlen(RG_SIGN_PRIVATE_PREFIX));
	assert_int_equal(rg_sign_key_load(path, &got, &err), 0);
	assert_memory_equal(k.pk, got.pk, sizeof(k.pk));
	assert_memory_equal(k.sk, got.sk, sizeof(k.sk));
	/* The loaded key signs what the public key verifies. */
	assert_int_equal(crypto_sign_detached(sig, NULL, (const uint8_t *)"m", 1, got.sk), 0);
	assert_int_equal(crypto_sign_verify_detached(sig, (const uint8_t *)"m", 1, k.pk), 0);
	/* Exclusive: an existing key is never replaced; without it, it is. */
	assert_int_equal(rg_sign_key_store(path, &got, 1, &err), -1);
	assert_int_equal(rg_sign_key_store(path, &got, 0, &err), 0);
	/* Group or other access refused. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(rg_sign_key_load(path, &got, &err), -1);
	assert_non_null(strstr(err.msg, "group or others"));
	/* A disco private key is not a signing key. */
	write_file(path, "privkey:0000000000000000000000000000000000000000000000000000000000000000\n",
		   0600);
	assert_int_equal(rg_sign_key_load(path, &got, &err), -1);
	assert_non_null(strstr(err.msg, "not a signing private key (expected \"signpriv:\""));
	assert_int_equal(rg_sign_key_load("/nonexistent/key", &got, &err), -1);
	unlink(path);
	rg_sign_key_wipe(&k);
	rg_sign_key_wipe(&got);
	assert_true(sodium_is_zero(got.sk, sizeof(got.sk)));
}

static void test_public_text(void **state)
{
	struct rg_sign_key k;
	struct rg_err err;
	uint8_t pk[RG_SIGN_PUBLIC_LEN];
	char text[RG_SIGN_PUBLIC_TEXT_LEN + 1], upper[RG_SIGN_PUBLIC_TEXT_LEN + 2], path[128];
	size_t i;

	(void)state;
	assert_int_equal(rg_sign_key_generate(&k), 0);
	rg_sign_public_format(k.pk, text);
	assert_int_equal(strlen(text), 64);
	for (i = 0; i < 64; i++)
		assert_true((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'));
	assert_int_equal(rg_sign_public_parse(text, 64, pk), 0);
	assert_memory_equal(pk, k.pk, sizeof(pk));
	for (i = 0; i < 64; i++)
		upper[i] = (char)(text[i] >= 'a' ? text[i] - 32 : text[i]);
	assert_int_equal(rg_sign_public_parse(upper, 64, pk), 0);
	assert_memory_equal(pk, k.pk, sizeof(pk));
	assert_int_equal(rg_sign_public_parse(text, 63, pk), -1);
	upper[64] = 'a';
	assert_int_equal(rg_sign_public_parse(upper, 65, pk), -1);
	upper[3] = 'g';
	assert_int_equal(rg_sign_public_parse(upper, 64, pk), -1);
	/* Trust files: any mode, one optional newline. */
	snprintf(path, sizeof(path), "%s/sign.pub", dir);
	snprintf(upper, sizeof(upper), "%s\n", text);
	write_file(path, upper, 0644);
	assert_int_equal(rg_sign_public_load(path, pk, &err), 0);
	assert_memory_equal(pk, k.pk, sizeof(pk));
	write_file(path, text, 0644);
	assert_int_equal(rg_sign_public_load(path, pk, &err), 0);
	write_file(path, "discokey:0000000000000000000000000000000000000000000000000000000000000000\n",
		   0644);
	assert_int_equal(rg_sign_public_load(path, pk, &err), -1);
	assert_non_null(strstr(err.msg, "not a signing public key (expected 64 hex digits)"));
	unlink(path);
	rg_sign_key_wipe(&k);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_load),
		cmocka_unit_test(test_public_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
