/* relaygated configuration: command-line options and the config file. */
#ifndef RGD_CONFIG_H
#define RGD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "relaygate/addrport.h"
#include "relaygate/err.h"
#include "relaygate/relay_server.h"

#define RGD_FAMILIES 2     /* [0] udp4, [1] udp6 */
#define RGD_MAX_TRUST 8
#define RGD_MAX_SOCKETS 64 /* --sockets; the automatic count stops at 16 */
#define RGD_AUTO_SOCKETS_MAX 16
#define RGD_DEFAULT_METRICS "127.0.0.1:9466"

/* Exit status of relaygated (documented in relaygated.8). */
enum {
	RGD_EXIT_OK = 0,      /* stopped by SIGTERM/SIGINT, or -n found the configuration good */
	RGD_EXIT_RUNTIME = 1, /* a socket failed while serving */
	RGD_EXIT_CONFIG = 2,  /* usage, configuration, key, table or bind error at start */
	RGD_EXIT_INTERNAL = 3,
};

struct rgd_config {
	bool have_listen[RGD_FAMILIES];
	struct rg_addrport listen[RGD_FAMILIES];
	size_t nadvertise;
	struct rg_addrport advertise[RG_RELAY_MAX_ADDRS];
	const char *key_path;
	const char *table_path;
	size_t ntrust;
	const char *trust_path[RGD_MAX_TRUST];
	const char *relay_name;
	bool metrics_on;
	struct rg_addrport metrics;
	unsigned sockets;          /* 0: from the CPU count */
	const char *user;
	bool require_both;
	bool check_only;
	bool no_gso, no_gro;
	uint64_t table_max_age;    /* seconds; 0 = no limit */
	uint64_t table_min_serial; /* refused below, at start and on reload */
	uint32_t max_endpoints;
	uint32_t max_per_node;
	uint32_t max_connecting_per_node;
	/* Owned copies of every string above (from the config file). */
	char *strings[64];
	size_t nstrings;
};

void rgd_config_init(struct rgd_config *c);
void rgd_config_free(struct rgd_config *c);
/*
 * Parses argv (after the program name) and the file named by --config.
 * Options on the command line override the file; a list option given on
 * the command line replaces the file's list. Returns 0, 1 for --help or
 * --version (already printed), or -1 with err set.
 */
int rgd_config_parse(struct rgd_config *c, int argc, char **argv, struct rg_err *err);
/* Cross-option checks (listen/advertise rules, required options). */
int rgd_config_check(const struct rgd_config *c, struct rg_err *err);

/* 0.0.0.0 or :: */
bool rgd_addr_is_wildcard(const struct rg_addrport *a);

extern const char rgd_usage[];

#endif
