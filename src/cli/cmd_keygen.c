/* relaygate keygen sign|disco and relaygate pubkey: private keys and their public text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/commands.h"
#include "relaygate/disco_key.h"
#include "relaygate/sign_key.h"
#include "util/file.h"

const char cmd_keygen_usage[] =
	"usage: relaygate keygen sign|disco -o KEY [--force]\n"
	"\n"
	"Generate a private key, write it to KEY (mode 0600, atomically) and print\n"
	"its public key on standard output, one line:\n"
	"\n"
	"  sign   an Ed25519 key that signs relay authorization tables\n"
	"         (relaygate compile --sign-key KEY); prints 64 lowercase hex digits.\n"
	"         Save that line in a file for 'relaygate table verify --trust'.\n"
	"  disco  a disco key for relaygated; prints \"discokey:\" and 64 hex digits.\n"
	"\n"
	"options:\n"
	"  -o, --output KEY  where to write the private key (required)\n"
	"  -f, --force       replace an existing KEY (otherwise it is an error)\n"
	"  -h, --help        this help\n"
	"\n"
	"'relaygate pubkey KEY' prints the public key of an existing key again.\n"
	"\n"
	"Exit status: 0 written, 2 usage or I/O error (including an existing KEY).\n";

const char cmd_pubkey_usage[] =
	"usage: relaygate pubkey KEY\n"
	"\n"
	"Print the public key of a private key file written by 'relaygate keygen':\n"
	"64 lowercase hex digits for a signing key (\"signpriv:\" file), or\n"
	"\"discokey:\" and 64 hex digits for a disco key (\"privkey:\" file).\n"
	"\n"
	"Exit status: 0 printed, 2 usage or I/O error.\n";

static const struct option keygen_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int keygen_sign(const char *path, bool force, struct rg_err *err)
{
	struct rg_sign_key k;
	char text[RG_SIGN_PUBLIC_TEXT_LEN + 1];
	int ret = -1;

	if (rg_sign_key_generate(&k) < 0) {
		rg_err_set(err, "cannot generate a key (libsodium)");
		goto out;
	}
	if (rg_sign_key_store(path, &k, !force, err) < 0)
		goto out;
	rg_sign_public_format(k.pk, text);
	printf("%s\n", text);
	ret = 0;
out:
	rg_sign_key_wipe(&k);
	return ret;
}

/* Prints the public key of a disco private key. */
static void print_disco_public(const struct rg_disco_private *k, struct rg_err *err, int *ret)
{
	struct rg_disco_key pub;
	char text[RG_DISCO_KEY_TEXT_LEN + 1];

	if (rg_disco_private_public(k, &pub) < 0) {
		*ret = rg_err_set(err, "cannot derive the public key (libsodium)");
		return;
	}
	rg_disco_key_format(&pub, text);
	printf("%s\n", text);
	*ret = 0;
}

static int keygen_disco(const char *path, bool force, struct rg_err *err)
{
	struct rg_disco_private k;
	int ret = -1;

	if (rg_disco_private_generate(&k) < 0)
		rg_err_set(err, "cannot generate a key (libsodium)");
	else if (rg_disco_private_store(path, &k, !force, err) == 0)
		print_disco_public(&k, err, &ret);
	rg_disco_wipe(&k, sizeof(k));
	return ret;
}

int cmd_keygen_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("keygen");
	const char *out = NULL, *kind;
	bool force = false;
	struct rg_err err;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:fh", keygen_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = true;
			break;
		default:
			return cli_bad_usage(self, NULL);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage(self, "expected the kind of key: sign or disco");
	kind = argv[optind];
	if (!out)
		return cli_bad_usage(self, "-o KEY is required");
	if (strcmp(kind, "sign") != 0 && strcmp(kind, "disco") != 0)
		return cli_bad_usage(self, "unknown kind of key '%s' (sign or disco)", kind);
	/* A friendlier message than link()'s EEXIST, which still guards against races. */
	if (!force && access(out, F_OK) == 0) {
		cli_error("keygen", "%s: exists; use --force to replace it", out);
		return RG_EXIT_USAGE;
	}
	if (strcmp(kind, "sign") == 0)
		r = keygen_sign(out, force, &err);
	else
		r = keygen_disco(out, force, &err);
	if (r < 0) {
		cli_error("keygen", "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	return RG_EXIT_OK;
}

/* Whether the key file at path starts with prefix (the secret read is wiped). */
static bool file_starts_with(const char *path, const char *prefix)
{
	char *data = NULL;
	size_t len = 0;
	bool yes;

	if (rg_file_read(path, 256, &data, &len, NULL) < 0)
		return false;
	yes = len >= strlen(prefix) && memcmp(data, prefix, strlen(prefix)) == 0;
	sodium_memzero(data, len);
	free(data);
	return yes;
}

int cmd_pubkey_main(int argc, char **argv)
{
	const struct cli_command *self = cli_find("pubkey");
	const char *path;
	struct rg_err err;
	int ret = -1;

	if (argc != 2 || argv[1][0] == '-')
		return cli_bad_usage(self, "expected exactly one KEY");
	path = argv[1];
	if (file_starts_with(path, RG_DISCO_PRIVATE_PREFIX)) {
		struct rg_disco_private k;

		if (rg_disco_private_load(path, &k, &err) == 0)
			print_disco_public(&k, &err, &ret);
		rg_disco_wipe(&k, sizeof(k));
	} else {
		struct rg_sign_key k;
		char text[RG_SIGN_PUBLIC_TEXT_LEN + 1];

		if (rg_sign_key_load(path, &k, &err) == 0) {
			rg_sign_public_format(k.pk, text);
			printf("%s\n", text);
			ret = 0;
		}
		rg_sign_key_wipe(&k);
	}
	if (ret < 0) {
		cli_error("pubkey", "%s", err.msg);
		return RG_EXIT_USAGE;
	}
	return RG_EXIT_OK;
}
