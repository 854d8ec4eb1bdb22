/* loss.c — fused softmax cross-entropy (see loss.h).
 *
 * One pass per row: max, sum of exp(l - max) written into dlogits as it goes,
 * then a scale by 1/(sum*N) and the -1/N at the target. The sum of
 * exponentials, the log and the mean are in double: it costs nothing next to
 * the head sgemm and keeps the loss free of rounding noise beyond that of the
 * logits themselves, which the gradient check's finite differences need.
 */
#include "loss.h"

#include <math.h>
#include <stddef.h>

double loss_softmax_xent(int N, int V, const float *logits, const int *y, float *dlogits)
{
    double total = 0.0;
    const float inv_n = 1.0f / (float)N;
    for (int r = 0; r < N; r++) {
        const float *l = logits + (size_t)r * V;
        float mx = l[0];
        for (int v = 1; v < V; v++)
            if (l[v] > mx)
                mx = l[v];
        double sum = 0.0;
        if (dlogits) {
            float *d = dlogits + (size_t)r * V;
            for (int v = 0; v < V; v++) {
                float e = expf(l[v] - mx);
                d[v] = e;
                sum += e;
            }
            float scale = (float)(1.0 / (sum * N));
            for (int v = 0; v < V; v++)
                d[v] *= scale;
            d[y[r]] -= inv_n;
        } else {
            for (int v = 0; v < V; v++)
                sum += expf(l[v] - mx);
        }
        total += log(sum) + (double)mx - (double)l[y[r]];
    }
    return total / N;
}
