#pragma once
// Where each box of the network diagram goes: a grid of columns (depth in the DAG: one more than
// the deepest input) and rows (parallel branches). Plain data, no widgets: tested on its own.
#include "core/network_model.h"

#include <vector>

namespace offload::studio::teaching {

struct DiagramCell {
    int column = 0;
    int row = 0;
};

struct DiagramLayout {
    DiagramCell input;              // the network input's box: column 0, row 0
    std::vector<DiagramCell> cells; // one per layer, in execution order
    int columns = 1;
    int rows = 1;
    // The cell of a producer (kNetworkInput: the input's).
    const DiagramCell& of(int producer) const
    {
        return producer == kNetworkInput ? input : cells[static_cast<std::size_t>(producer)];
    }
};

// Every layer one column right of its deepest input, so that each edge points right and the
// branches of a block (Inception's four, a ResNet projection) stand in parallel rows. A layer
// keeps the row of its first input when that cell is free, so a chain stays on one line and a
// join returns to the row of the branch it continues.
DiagramLayout layoutNetwork(const NetworkModel& network);

} // namespace offload::studio::teaching
