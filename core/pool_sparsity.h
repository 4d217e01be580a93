#pragma once
#include <cstdint>

namespace offload {

// Fraction of zero outputs of a max or average pool whose input (non-negative: a ReLU's output)
// has zero fraction `inputSparsity`, with `windowElements` values per window. A model fitted on
// real pooled tensors (network_model.cpp, docs/model.md, core/tools/fit_pool_sparsity.py); it
// replaces the upper bound "a pool keeps its input's sparsity".
double pooledSparsity(double inputSparsity, std::int64_t windowElements);

} // namespace offload
