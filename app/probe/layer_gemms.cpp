#include "layer_gemms.h"

namespace offload::probe {

LayerGemms layerGemms(const NetworkModel& model, int layer, std::int64_t batch)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    const LayerInfo& info = model.info(layer);
    LayerGemms g;
    if (L.kind == LayerKind::conv) {
        const std::int64_t groups = L.groups > 0 ? L.groups : 1;
        const std::int64_t cin = info.input_shape.c / groups;
        const std::int64_t cout = info.output_shape.c / groups;
        const std::int64_t rows = batch * info.output_shape.h * info.output_shape.w; // output positions
        const std::int64_t reduce = cin * L.kernel_h * L.kernel_w;
        g.forward.push_back({rows, cout, reduce, groups});
        g.backward.push_back({rows, reduce, cout, groups}); // dX (as columns, then col2im)
        g.backward.push_back({cout, reduce, rows, groups}); // dW
    } else if (L.kind == LayerKind::fc) {
        // per_position: the same weights at every HxW position (a 1x1 convolution).
        const std::int64_t positions = L.per_position ? info.input_shape.h * info.input_shape.w : 1;
        const std::int64_t in = L.per_position ? info.input_shape.c : info.input_shape.elements();
        const std::int64_t out = L.out_channels;
        const std::int64_t rows = batch * positions;
        g.forward.push_back({rows, out, in, 1});
        g.backward.push_back({rows, in, out, 1});
        g.backward.push_back({out, in, rows, 1});
    }
    return g;
}

} // namespace offload::probe
