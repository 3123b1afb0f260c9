/*
 * Glob matching without recursion: on a mismatch after a '*', retry with the
 * star swallowing one more character. Linear in practice, never exponential.
 */
#include "lib/glob.h"

bool glob_match(const char *p, const char *t)
{
	const char *star = 0, *resume = 0;

	while (*t) {
		if (*p == '*') {
			star = ++p;
			resume = t;
		} else if (*p == '?' || *p == *t) {
			p++;
			t++;
		} else if (star) {
			p = star;
			t = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == 0;
}
