/*
 * The init language's shell in lemmings-hosted (hosted/shell.c).
 */
#ifndef HOSTED_SHELL_H
#define HOSTED_SHELL_H

/* Read the language from standard input until it ends or `bye`: a prompt
 * and line editing on a terminal, plain lines from a pipe. Called in a
 * Lemmings thread; returns when the shell is done. */
void hosted_shell(void);

#endif
