/* shell_prompt: a terminal session pasted with the file: a line that starts
 * with a shell prompt (`$ cat cluster.yml`, `[root@node1 ~]# rke up`,
 * `ubuntu@host:~$ ...`, `PS C:\> ...`).  YAML reads such a file as a broken
 * or second document; the prompt is the mistake to point at. */
#ifndef PADDOCK_SHELL_PROMPT_H
#define PADDOCK_SHELL_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

/* The first line of buf[0..len) that starts with a shell prompt: its number
 * (1-based) into *line and the line, cut to fit, into text (cap bytes). */
bool shell_prompt_find(const char *buf, size_t len, int *line, char *text, size_t cap);

#endif
