#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
/* stdin: op prec rm a b c (hex) ; stdout: result flags */
static int rms[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
int main(void) {
	char op[16], p[4]; int rm; unsigned long long a, b, c;
	while (scanf("%15s %3s %d %llx %llx %llx", op, p, &rm, &a, &b, &c) == 6) {
		fesetround(rms[rm]);
		feclearexcept(FE_ALL_EXCEPT);
		unsigned long long r = 0;
		if (p[0] == 's') {
			volatile float x, y, z, res = 0; uint32_t t;
			t = a; memcpy((void *)&x, &t, 4); t = b; memcpy((void *)&y, &t, 4); t = c; memcpy((void *)&z, &t, 4);
			if (!strcmp(op, "add")) res = x + y;
			else if (!strcmp(op, "sub")) res = x - y;
			else if (!strcmp(op, "mul")) res = x * y;
			else if (!strcmp(op, "div")) res = x / y;
			else if (!strcmp(op, "sqrt")) res = sqrtf(x);
			else if (!strcmp(op, "madd")) res = fmaf(x, y, z);
			else if (!strcmp(op, "msub")) res = fmaf(x, y, -z);
			else if (!strcmp(op, "nmsub")) res = fmaf(-x, y, z);
			else if (!strcmp(op, "nmadd")) res = fmaf(-x, y, -z);
			else if (!strcmp(op, "i2f")) res = (float)(int64_t)a;
			else if (!strcmp(op, "u2f")) res = (float)(uint64_t)a;
			float rr = res; memcpy(&t, &rr, 4); r = t;
		} else {
			volatile double x, y, z, res = 0;
			memcpy((void *)&x, &a, 8); memcpy((void *)&y, &b, 8); memcpy((void *)&z, &c, 8);
			if (!strcmp(op, "add")) res = x + y;
			else if (!strcmp(op, "sub")) res = x - y;
			else if (!strcmp(op, "mul")) res = x * y;
			else if (!strcmp(op, "div")) res = x / y;
			else if (!strcmp(op, "sqrt")) res = sqrt(x);
			else if (!strcmp(op, "madd")) res = fma(x, y, z);
			else if (!strcmp(op, "msub")) res = fma(x, y, -z);
			else if (!strcmp(op, "nmsub")) res = fma(-x, y, z);
			else if (!strcmp(op, "nmadd")) res = fma(-x, y, -z);
			else if (!strcmp(op, "i2f")) res = (double)(int64_t)a;
			else if (!strcmp(op, "u2f")) res = (double)(uint64_t)a;
			else if (!strcmp(op, "d2s")) { volatile float f = (float)x; uint32_t t; float ff = f; memcpy(&t, &ff, 4); r = t; goto out; }
			double rr = res; memcpy(&r, &rr, 8);
		}
out:;
		int e = fetestexcept(FE_ALL_EXCEPT), f = 0;
		if (e & FE_INEXACT) f |= 1; if (e & FE_UNDERFLOW) f |= 2; if (e & FE_OVERFLOW) f |= 4;
		if (e & FE_DIVBYZERO) f |= 8; if (e & FE_INVALID) f |= 16;
		printf("%llx %d\n", r, f);
		fflush(stdout);
	}
	return 0;
}
