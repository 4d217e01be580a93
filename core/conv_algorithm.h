#pragma once
// The names of cuDNN's convolution algorithm families, shared by network files and device
// profiles (measured per-algorithm times) and the simulator's algorithm model
// (sim/conv_algorithms.h).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace offload {

enum class ConvAlgorithm : std::uint8_t { implicit_gemm, implicit_precomp_gemm, gemm, fft, fft_tiling, winograd };
inline constexpr std::array<ConvAlgorithm, 6> kConvAlgorithms = {
    ConvAlgorithm::implicit_gemm, ConvAlgorithm::implicit_precomp_gemm,
    ConvAlgorithm::gemm,          ConvAlgorithm::fft,
    ConvAlgorithm::fft_tiling,    ConvAlgorithm::winograd};

inline constexpr std::array<std::string_view, 6> kConvAlgorithmNames = {
    "implicit-gemm", "implicit-precomp-gemm", "gemm", "fft", "fft-tiling", "winograd"};

constexpr std::string_view convAlgorithmName(ConvAlgorithm a)
{
    return kConvAlgorithmNames[static_cast<std::size_t>(a)];
}

constexpr std::optional<ConvAlgorithm> parseConvAlgorithm(std::string_view s)
{
    for (std::size_t i = 0; i < kConvAlgorithmNames.size(); ++i)
        if (kConvAlgorithmNames[i] == s)
            return kConvAlgorithms[i];
    return std::nullopt;
}

} // namespace offload
