// Synthetic Hugging Face Hub model listings for measuring `modelreg import hf-hub` (tests/bench/README.md).
#pragma once

#include <cstdint>
#include <cstdio>

namespace modelreg_bench {

// Writes `count` model infos shaped like `GET https://huggingface.co/api/models?full=true&cardData=true` answers
// them, as JSON Lines (`array` false) or one JSON array, to `out`. Entry i is a pure function of i: model
// `Hub-{i % publishers:03}/Model-{i:07}`, gated false (80%), "auto" (12%) or "manual" (8%), a license tag of the
// shipped catalog (1% `other` with a license_name alias), 20% a base model (an earlier entry) with a relation tag,
// a pipeline tag, a library, createdAt 2021-2026 and safetensors.total (90%), tags, a cardData block. About 1 KB each.
void WriteHfListing(std::FILE* out, int64_t count, int64_t publishers, bool array);

}  // namespace modelreg_bench
