/* shell_prompt: prompts pasted into a cluster.yml (shell_prompt.h). */
#include "config/shell_prompt.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

/* At the start of a line; YAML has no use for any of these there. */
static const char *const prompts[] = {
	"^\\$ +[^ ]",                                           /* $ cmd */
	"^\\[[^]@ ]+@[^] ]+( [^]]*)?\\][$#]( |$)",               /* [root@node1 ~]# cmd */
	"^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+:[^ ]*[$#]( |$)",       /* user@host:~$ cmd */
	"^(PS )?[A-Za-z]:\\\\[^>]*> *[A-Za-z]",                  /* PS C:\dir> cmd */
};

#define NPROMPTS (sizeof(prompts) / sizeof(*prompts))

/* Whether the line p[0..n) starts with a prompt; probe is scratch. */
static bool prompt_line(regex_t *re, const char *p, size_t n, char *probe, size_t cap)
{
	if (!n || strchr(" \t#-", p[0]))
		return false;
	size_t k = n < cap - 1 ? n : cap - 1;
	memcpy(probe, p, k);
	probe[k] = '\0';
	for (size_t i = 0; i < NPROMPTS; i++)
		if (regexec(&re[i], probe, 0, NULL, 0) == 0)
			return true;
	return false;
}

bool shell_prompt_find(const char *buf, size_t len, int *line, char *text, size_t cap)
{
	regex_t re[NPROMPTS];
	size_t ok = 0;
	bool hit = false;
	while (ok < NPROMPTS && !regcomp(&re[ok], prompts[ok], REG_EXTENDED | REG_NOSUB))
		ok++;
	const char *p = buf, *end = buf + len;
	char probe[256];
	for (int l = 1; ok == NPROMPTS && !hit && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (n && p[n - 1] == '\r')
			n--;
		if ((hit = prompt_line(re, p, n, probe, sizeof(probe)))) {
			*line = l;
			if (cap)
				snprintf(text, cap, "%s", probe);
		}
		p = nl ? nl + 1 : end;
	}
	for (size_t i = 0; i < ok; i++)
		regfree(&re[i]);
	return hit;
}
