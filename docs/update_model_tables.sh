#!/usr/bin/env bash
# Regenerates the comparison tables of docs/model.md from `offload-sim reproduce`.
# Usage: docs/update_model_tables.sh [path/to/offload-sim]   (default: build/release's)
set -euo pipefail
cd "$(dirname "$0")/.."
sim="${1:-build/release/app/cli/offload-sim}"
for paper in vdnn cdma jpeg-act; do
    table="$("$sim" reproduce "$paper" --markdown)"
    PAPER="$paper" TABLE="$table" /usr/bin/env python3 - docs/model.md <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
open_tag = "<!-- reproduce:%s -->\n" % os.environ["PAPER"]
start = text.index(open_tag) + len(open_tag)
end = text.index("<!-- /reproduce -->", start)
text = text[:start] + os.environ["TABLE"] + "\n" + text[end:]
tmp = path + ".tmp"
open(tmp, "w", encoding="utf-8").write(text)
os.replace(tmp, path)
PY
done
