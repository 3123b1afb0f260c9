/*
 * Boot option registry and parsing (see bootopt.h). Values are copied into
 * a fixed table at boot; lookups are a linear scan of at most BOOTOPT_MAX
 * entries, done a handful of times during boot.
 */
#include "kernel/bootopt.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define BOOTOPT_MAX 32
#define VALUE_MAX 256

extern const struct bootopt __start_lm_bootopts[], __stop_lm_bootopts[];

BOOTOPT(help, "list the boot options and what they do");

static struct {
	const char *key; /* from the registry */
	char value[VALUE_MAX];
} given[BOOTOPT_MAX];
static unsigned given_count;

static const struct bootopt *find_known(const struct cmdline_word *w)
{
	for (const struct bootopt *o = __start_lm_bootopts; o < __stop_lm_bootopts; o++)
		if (cmdline_key_is(w, o->key))
			return o;
	return NULL;
}

static void store(const char *key, const struct cmdline_word *w)
{
	unsigned i;
	size_t n = w->value ? w->value_len : 0;

	for (i = 0; i < given_count; i++)
		if (given[i].key == key)
			break;
	if (i == given_count) {
		if (given_count == BOOTOPT_MAX) {
			kprintf("boot: too many options; ignoring '%s'\n", key);
			return;
		}
		given_count++;
	}
	given[i].key = key;
	if (n >= VALUE_MAX) {
		kprintf("boot: value of '%s' is longer than %d characters; truncated\n",
			key, VALUE_MAX - 1);
		n = VALUE_MAX - 1;
	}
	memcpy(given[i].value, w->value ? w->value : "", n);
	given[i].value[n] = 0;
}

void bootopt_parse(const char *cmdline)
{
	struct cmdline_word w;
	size_t cur = 0;
	char err[96];
	enum lm_err e;

	while ((e = cmdline_next(cmdline, &cur, &w, err, sizeof err)) != LM_ERR_NOENT) {
		const struct bootopt *o;

		if (e) {
			kprintf("boot: ignoring malformed option at %s\n", err);
			continue;
		}
		o = find_known(&w);
		if (!o) {
			char key[4 * 32 + 1];

			fmt_escape(key, sizeof key, w.key, w.key_len);
			kprintf("boot: unknown option '%s' ignored (boot with 'help' "
				"for the list)\n", key);
			continue;
		}
		store(o->key, &w);
	}
	if (bootopt_get("help"))
		bootopt_print_known();
}

const char *bootopt_get(const char *key)
{
	for (unsigned i = 0; i < given_count; i++)
		if (!strcmp(given[i].key, key))
			return given[i].value;
	return NULL;
}

void bootopt_print_known(void)
{
	kprintf("boot options:\n");
	for (const struct bootopt *o = __start_lm_bootopts; o < __stop_lm_bootopts; o++)
		kprintf("  %-10s %s\n", o->key, o->help);
}
