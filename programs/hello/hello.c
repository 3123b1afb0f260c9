/* The smallest Lemmings program: prints its arguments. */
#include <stdio.h>
#include <stdlib.h>

/* A table of pointers: the loader must relocate it wherever it puts us. */
static const char *const greetings[] = {"hello from a Lemmings program", "hello again"};

int main(int argc, char **argv)
{
	char *copy = malloc(64);

	snprintf(copy, 64, "%s", greetings[argc > 1]);
	printf("%s (argc=%d)\n", copy, argc);
	for (int i = 0; i < argc; i++)
		printf("  argv[%d] = %s\n", i, argv[i]);
	free(copy);
	return 0;
}
