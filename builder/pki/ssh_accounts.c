#include "pki/ssh_accounts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int ssh_accounts_make(const char *user, struct ssh_accounts *ret, struct perr *err)
{
	struct ssh_accounts a = {
		.passwd = format("root:x:0:0:root:/root:/bin/sh\n"
				 "sshd:x:100:65534:sshd privilege separation:/run/sshd:/bin/nologin\n"
				 "nobody:x:65534:65534:nobody:/nonexistent:/bin/nologin\n"
				 "%s:x:" STR(SSH_USER_UID) ":" STR(SSH_USER_UID) ":paddock node login:/:/bin/sh\n",
				 user),
		.group = format("root:x:0:\n"
				"paddockctl:x:" STR(SSH_PADDOCKCTL_GID) ":%s\n"
				"nogroup:x:65534:\n"
				"%s:x:" STR(SSH_USER_UID) ":\n",
				user, user),
		/* empty aging fields: no "password expired" that sshd would act on */
		.shadow = format("root:*:::::::\nsshd:*:::::::\nnobody:*:::::::\n%s:*:::::::\n", user),
	};
	if (!a.passwd || !a.group || !a.shadow) {
		ssh_accounts_free(&a);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	*ret = a;
	return 0;
}

void ssh_accounts_free(struct ssh_accounts *a)
{
	free(a->passwd);
	free(a->group);
	free(a->shadow);
	a->passwd = a->group = a->shadow = NULL;
}
