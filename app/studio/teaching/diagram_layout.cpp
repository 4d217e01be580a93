#include "diagram_layout.h"

#include <algorithm>

namespace offload::studio::teaching {

DiagramLayout layoutNetwork(const NetworkModel& network)
{
    DiagramLayout layout;
    layout.cells.resize(network.size());
    // Per column: the rows in use (a few: a vector is far cheaper than a set per column on a
    // million-layer chain).
    std::vector<std::vector<int>> taken(1, std::vector<int>{0});
    for (std::size_t i = 0; i < network.size(); ++i) {
        const auto& inputs = network.layers()[i].inputs;
        int column = 1;
        for (int producer : inputs)
            column = std::max(column, layout.of(producer).column + 1);
        if (static_cast<std::size_t>(column) >= taken.size())
            taken.resize(static_cast<std::size_t>(column) + 1);
        auto& rows = taken[static_cast<std::size_t>(column)];
        const auto used = [&rows](int r) { return std::find(rows.begin(), rows.end(), r) != rows.end(); };
        int row = inputs.empty() ? 0 : layout.of(inputs.front()).row;
        if (used(row)) {
            row = 0;
            while (used(row))
                ++row;
        }
        rows.push_back(row);
        layout.cells[i] = DiagramCell{column, row};
        layout.columns = std::max(layout.columns, column + 1);
        layout.rows = std::max(layout.rows, row + 1);
    }
    return layout;
}

} // namespace offload::studio::teaching
