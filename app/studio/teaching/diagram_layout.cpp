#include "diagram_layout.h"

#include <algorithm>
#include <set>

namespace offload::studio::teaching {

DiagramLayout layoutNetwork(const NetworkModel& network)
{
    DiagramLayout layout;
    layout.cells.resize(network.size());
    std::vector<std::set<int>> taken(1, std::set<int>{0}); // per column: the rows in use
    for (std::size_t i = 0; i < network.size(); ++i) {
        const auto& inputs = network.layers()[i].inputs;
        int column = 1;
        for (int producer : inputs)
            column = std::max(column, layout.of(producer).column + 1);
        if (static_cast<std::size_t>(column) >= taken.size())
            taken.resize(static_cast<std::size_t>(column) + 1);
        auto& rows = taken[static_cast<std::size_t>(column)];
        int row = inputs.empty() ? 0 : layout.of(inputs.front()).row;
        if (rows.count(row) != 0) {
            row = 0;
            while (rows.count(row) != 0)
                ++row;
        }
        rows.insert(row);
        layout.cells[i] = DiagramCell{column, row};
        layout.columns = std::max(layout.columns, column + 1);
        layout.rows = std::max(layout.rows, row + 1);
    }
    return layout;
}

} // namespace offload::studio::teaching
