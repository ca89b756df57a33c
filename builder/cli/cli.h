/* cli: the verbs of the paddock command.  Each verb lives in cmd_<verb>.c
 * and returns the process exit status: 0 success, 1 invalid input or a
 * failed build, 2 usage error. */
#ifndef PADDOCK_CLI_H
#define PADDOCK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "config/diag.h"
#include "perr.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

struct cli_verb {
	const char *name;
	const char *summary;            /* one line for `paddock --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the verb */
	bool metadata;                  /* reads a cluster.yml: takes --metadata FILE */
};

extern const struct cli_verb cli_verbs[];

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_components(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Prints "paddock: msg" or "FILE:LINE:COL: msg" to stderr. */
void cli_print_error(const struct perr *e);
/* Prints each warning as "FILE:LINE:COL: warning: msg" to stderr. */
void cli_print_diags(const struct diag_list *d);
/* Prints the notes that go with an error, after it, as "FILE:LINE:COL: note: msg". */
void cli_print_notes(const struct diag_list *d);
/* Warnings and the error (NULL: none) in line order, the error's notes
 * right after it. */
void cli_print_report(const struct diag_list *d, const struct perr *err);

#define CLI_GO_ON (-1)
/* Parses `VERB [OPTION...] FILE` (argv[0] is the verb): --help and -h print
 * usage to stdout; an argument equal to opts[k] (a NULL-terminated list,
 * may be NULL) sets seen[k].  Returns CLI_GO_ON with *file set, else the
 * exit status the verb returns (0 after --help, EXIT_USAGE). */
int cli_file_args(int argc, char **argv, void (*usage)(FILE *), const char *const *opts,
		  bool *seen, const char **file);

/* Takes `--metadata FILE` (or `--metadata=FILE`) out of argv, wherever it
 * stands after the verb, else takes $PADDOCK_METADATA, and makes that RKE
 * data.json the version data of this run (config/k8s_metadata.h); not
 * for --help.  A verb without v->metadata refuses the option.  Returns
 * CLI_GO_ON with *argc updated, else the exit status, after saying why. */
int cli_take_metadata(const struct cli_verb *v, int *argc, char **argv);

struct plan;
/* Loads FILE's plan, printing its warnings and any error to stderr; the
 * plan in *ret on success, else EXIT_INVALID. */
int cli_load_plan(const char *file, struct plan **ret);

#endif
