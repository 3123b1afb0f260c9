/*
 * lm_sleep_ns (lemmings/clock.h): a timer of the Timer door, armed, waited
 * on and given back.
 */
#include <lemmings/clock.h>
#include <lemmings/timer.h>

enum lm_err lm_sleep_ns(const struct timer_door *timer, uint64_t ns)
{
	timer_create_result t = timer_create(timer);

	if (!timer_create_result_is_timer(t))
		return (enum lm_err)t;
	timer_set(timer, (timer_timer)t, timer_now(timer) + ns);
	timer_wait(timer, (timer_timer)t);
	timer_destroy(timer, (timer_timer)t);
	return LM_OK;
}
