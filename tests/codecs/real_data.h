#pragma once
// The real MobileNetV1 activations of ../shared/data (see its README.md), for tests.
#include "core/codecs/codec.h"
#include "core/codecs/npy.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <map>
#include <string>
#include <vector>

namespace offload::test {

inline QDir sharedDataDir()
{
    return QDir(QString(OFFLOAD_SHARED_DATA_DIR) + "/ssd_mobilenetv1");
}

struct RealTensor {
    QString file;
    QString layer;
    NpyArray array;
    TensorDesc desc; // NHWC as the manifest says
};

// Every tensor of manifest.json, read and described.
inline std::vector<RealTensor> loadRealTensors()
{
    std::vector<RealTensor> out;
    const QDir dir = sharedDataDir();
    QFile manifest(dir.filePath("manifest.json"));
    if (!manifest.open(QIODevice::ReadOnly)) return out;
    for (const auto& v : QJsonDocument::fromJson(manifest.readAll()).array()) {
        const auto o = v.toObject();
        RealTensor t;
        t.file = o["file"].toString();
        t.layer = o["layer_name"].toString();
        t.array = readNpyFile(dir.filePath(t.file).toStdString());
        const auto s = t.array.shape;
        t.desc.dtype = DType::fp32;
        t.desc.elements = t.array.elements();
        if (s.size() == 4) {
            t.desc.n = static_cast<std::int64_t>(s[0]);
            t.desc.h = static_cast<std::int64_t>(s[1]);
            t.desc.w = static_cast<std::int64_t>(s[2]);
            t.desc.c = static_cast<std::int64_t>(s[3]);
            t.desc.layout = TensorLayout::nhwc;
        }
        out.push_back(std::move(t));
    }
    return out;
}

// The README's table: layer name -> zero fraction (4 decimals) for the shipped tensors.
inline std::map<QString, double> readmeZeroFractions()
{
    std::map<QString, double> out;
    QFile readme(QString(OFFLOAD_SHARED_DATA_DIR) + "/README.md");
    if (!readme.open(QIODevice::ReadOnly)) return out;
    const QRegularExpression row(R"(^\|\s*([^|]+?)\s*\|[^|]*\|[^|]*\|\s*([0-9.]+)\s*\|\s*(yes|no)\s*\|)");
    for (const QString& line : QString::fromUtf8(readme.readAll()).split('\n')) {
        const auto m = row.match(line);
        if (m.hasMatch()) out[m.captured(1)] = m.captured(2).toDouble();
    }
    return out;
}

} // namespace offload::test
