// The pool-sparsity model (core/pool_sparsity.h) against real pooled activations: the zero
// fraction a network file derives for a max-pool output must be close to what pooling the real
// ReLU6 outputs of ../shared/data gives.
#include "core/pool_sparsity.h"
#include "real_data.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace offload;

namespace {

// Max-pools an NHWC (n = 1) tensor with a k x k window and stride s, no padding; returns the
// fraction of output windows that are exactly zero.
double zeroFractionAfterMaxPool(const std::vector<float>& x, std::int64_t h, std::int64_t w, std::int64_t c, int k,
                                int s)
{
    const std::int64_t oh = (h - k) / s + 1, ow = (w - k) / s + 1;
    std::int64_t zeros = 0;
    for (std::int64_t y = 0; y < oh; ++y)
        for (std::int64_t xo = 0; xo < ow; ++xo)
            for (std::int64_t ch = 0; ch < c; ++ch) {
                float m = -std::numeric_limits<float>::infinity();
                for (int dy = 0; dy < k; ++dy)
                    for (int dx = 0; dx < k; ++dx)
                        m = std::max(m, x[static_cast<std::size_t>(((y * s + dy) * w + xo * s + dx) * c + ch)]);
                zeros += m == 0.0f;
            }
    return static_cast<double>(zeros) / static_cast<double>(oh * ow * c);
}

} // namespace

class TestPoolSparsity : public QObject {
    Q_OBJECT
private slots:
    void boundsAndLimits()
    {
        QCOMPARE(pooledSparsity(0.0, 4), 0.0);
        QCOMPARE(pooledSparsity(1.0, 9), 1.0);
        QCOMPARE(pooledSparsity(0.7, 1), 0.7); // a 1x1 window is the identity
        for (double s : {0.1, 0.5, 0.8, 0.95})
            for (int n : {4, 9, 16}) {
                const double p = pooledSparsity(s, n);
                QVERIFY(p <= s);                        // a window is zero only where its values are
                QVERIFY(p >= std::pow(s, n));           // zeros cluster: never below independent zeros
                QVERIFY(pooledSparsity(s, n + 5) <= p); // bigger windows, fewer zero windows
            }
    }

    // The model is fitted on these tensors (core/tools/fit_pool_sparsity.py): every one of them is
    // within 0.1 of the model, and the model is closer than the old bound P = s overall.
    void matchesRealPooledActivations()
    {
        const auto tensors = test::loadRealTensors();
        if (tensors.empty())
            QSKIP("../shared/data is not beside the checkout");
        double modelSq = 0, boundSq = 0;
        int count = 0;
        for (const auto& t : tensors) {
            if (!t.layer.endsWith("relu6") || t.desc.n != 1 || std::max(t.desc.h, t.desc.w) < 16)
                continue;
            const auto x = t.array.toFloat32();
            const double s = static_cast<double>(std::count(x.begin(), x.end(), 0.0f)) / static_cast<double>(x.size());
            for (auto [k, stride] : {std::pair{2, 2}, std::pair{3, 2}, std::pair{3, 1}}) {
                const double measured = zeroFractionAfterMaxPool(x, t.desc.h, t.desc.w, t.desc.c, k, stride);
                const double model = pooledSparsity(s, k * k);
                QVERIFY2(std::abs(model - measured) < 0.1,
                         qPrintable(QString("%1 pooled %2x%2/%3: measured %4, model %5")
                                        .arg(t.layer)
                                        .arg(k)
                                        .arg(stride)
                                        .arg(measured)
                                        .arg(model)));
                modelSq += (model - measured) * (model - measured);
                boundSq += (s - measured) * (s - measured);
                ++count;
            }
        }
        QVERIFY(count >= 30);
        QVERIFY(std::sqrt(modelSq / count) < 0.05);
        QVERIFY(modelSq < boundSq / 4);
    }
};

QTEST_APPLESS_MAIN(TestPoolSparsity)
#include "tst_pool_sparsity.moc"
