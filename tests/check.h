/* check.h — the minimal test harness shared by every C test program.
 *
 * CHECK(cond, fmt, ...) prints one line "PASS name" or "FAIL file:line name"
 * and counts it. A test program's main() ends with `return check_summary();`,
 * which prints "<prog>: N passed, N failed" and returns nonzero on failure.
 * tests/run.sh adds the counts of all programs into the suite's closing line.
 */
#ifndef RNNSCOPE_CHECK_H
#define RNNSCOPE_CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int check_passed_count, check_failed_count;

__attribute__((format(printf, 4, 5)))
static int check_report(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ok) {
        check_passed_count++;
        printf("PASS ");
    } else {
        check_failed_count++;
        printf("FAIL %s:%d ", file, line);
    }
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    return ok;
}

#define CHECK(cond, ...) check_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static int check_summary(void)
{
    printf("RESULT %d passed, %d failed\n", check_passed_count, check_failed_count);
    return check_failed_count ? 1 : 0;
}

#endif
