/* Dropping root after binding. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon/privdrop.h"
#include "util/err.h"

int rgd_drop_privileges(const char *user, struct rg_err *err)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int r = getpwnam_r(user, &pw, buf, sizeof(buf), &res);

	if (r != 0 || !res)
		return rg_err_set(err, "--user %s: no such user", user);
	if (initgroups(pw.pw_name, pw.pw_gid) < 0)
		return rg_err_errno(err, errno, "--user %s: initgroups", user);
	if (setgid(pw.pw_gid) < 0)
		return rg_err_errno(err, errno, "--user %s: setgid", user);
	if (setuid(pw.pw_uid) < 0)
		return rg_err_errno(err, errno, "--user %s: setuid", user);
	if (getuid() != pw.pw_uid || geteuid() != pw.pw_uid || getgid() != pw.pw_gid ||
	    getegid() != pw.pw_gid)
		return rg_err_set(err, "--user %s: ids did not change", user);
	if (pw.pw_uid != 0 && setuid(0) == 0)
		return rg_err_set(err, "--user %s: root could be regained", user);
	return 0;
}
