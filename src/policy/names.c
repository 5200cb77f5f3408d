/* The name patterns of the policy language, in one place (PCRE2, JIT). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stddef.h>

#include "policy/internal.h"

static const char *const patterns[POLICY_NAME_COUNT] = {
	/* tailcfg.CheckTag: ASCII letter first, then letters, digits, dashes. */
	[POLICY_NAME_TAG] = "^tag:[A-Za-z][A-Za-z0-9-]*$",
	/* Capability names: {domain}/{path}; no scheme, no spaces. */
	[POLICY_NAME_CAP] = "^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?/[^\\s]+$",
	[POLICY_NAME_LOGIN] = "^[^\\s@]+@[^\\s@]*$",
	/* hosts aliases: no '@' (a login) and no ':' (a selector prefix). */
	[POLICY_NAME_HOST] = "^[^\\s@:]+$",
	[POLICY_NAME_GROUP] = "^group:[^\\s]+$",
};

static pcre2_code *compiled[POLICY_NAME_COUNT];
static pcre2_match_data *match_data;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int init_failed;

static void names_init(void)
{
	int i, errcode;
	PCRE2_SIZE erroff;

	for (i = 0; i < POLICY_NAME_COUNT; i++) {
		compiled[i] = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED,
					    PCRE2_UTF, &errcode, &erroff, NULL);
		if (!compiled[i]) {
			init_failed = 1;
			return;
		}
		/* JIT is an optimisation: an unsupported platform still matches. */
		(void)pcre2_jit_compile(compiled[i], PCRE2_JIT_COMPLETE);
	}
	match_data = pcre2_match_data_create(4, NULL);
	if (!match_data)
		init_failed = 1;
}

int policy_name_match(enum policy_name which, const char *s, size_t n)
{
	int rc;

	if (pthread_once(&once, names_init) != 0 || init_failed || which >= POLICY_NAME_COUNT)
		return -1;
	pthread_mutex_lock(&lock);
	rc = pcre2_match(compiled[which], (PCRE2_SPTR)s, n, 0, 0, match_data, NULL);
	pthread_mutex_unlock(&lock);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}
