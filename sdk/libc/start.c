/*
 * Program start-up: the loader calls _start in the program's first thread
 * with its struct lm_start (sdk/include/lemmings/start.h). Relocation is
 * already done by the loader. Returning ends the thread.
 */
#include <lemmings/start.h>

int main(int argc, char **argv);
void _start(struct lm_start *s);

void _start(struct lm_start *s)
{
	s->exit_code = main(s->argc, s->argv);
}
