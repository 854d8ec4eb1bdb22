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

static double loss_row(int N, int V, const float *l, int y, float *d)
{
    float mx = l[0];
    for (int v = 1; v < V; v++)
        if (l[v] > mx)
            mx = l[v];
    double sum = 0.0;
    if (d) {
        for (int v = 0; v < V; v++) {
            float e = expf(l[v] - mx);
            d[v] = e;
            sum += e;
        }
        float scale = (float)(1.0 / (sum * N));
        for (int v = 0; v < V; v++)
            d[v] *= scale;
        d[y] -= 1.0f / (float)N;
    } else {
        for (int v = 0; v < V; v++)
            sum += expf(l[v] - mx);
    }
    return log(sum) + (double)mx - (double)l[y];
}

void loss_softmax_xent_rows(int r0, int r1, int N, int V, const float *logits, const int *y,
                            float *dlogits, double *row_loss)
{
    for (int r = r0; r < r1; r++)
        row_loss[r] = loss_row(N, V, logits + (size_t)r * V, y[r],
                               dlogits ? dlogits + (size_t)r * V : NULL);
}

double loss_softmax_xent(int N, int V, const float *logits, const int *y, float *dlogits)
{
    double total = 0.0;
    for (int r = 0; r < N; r++)
        total += loss_row(N, V, logits + (size_t)r * V, y[r],
                          dlogits ? dlogits + (size_t)r * V : NULL);
    return total / N;
}
