#include "tests/bench/hf_listing.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace modelreg_bench {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <typename T, size_t N>
const T& Pick(const T (&items)[N], uint64_t h) {
  return items[h % N];
}

// Hub license ids the shipped catalog answers to (schema/catalog/licenses.yaml).
constexpr const char* kLicenses[] = {"apache-2.0", "apache-2.0",   "apache-2.0", "mit",       "mit",
                                     "llama3.1",   "llama3",       "llama3.2",   "gemma",     "qwen",
                                     "deepseek",   "cc-by-nc-4.0", "openrail",   "cc-by-4.0", "bsd-3-clause"};
constexpr const char* kPipelines[] = {"text-generation",
                                      "text-generation",
                                      "text-generation",
                                      "image-text-to-text",
                                      "feature-extraction",
                                      "text-to-image",
                                      "automatic-speech-recognition",
                                      "image-classification",
                                      "sentence-similarity"};
constexpr const char* kLibraries[] = {"transformers", "transformers", "sentence-transformers",
                                      "diffusers",    "peft",         "gguf"};
constexpr const char* kRelations[] = {"finetune", "finetune", "adapter", "quantized", "merge"};

std::string Id(int64_t i, int64_t publishers) { return absl::StrFormat("Hub-%03d/Model-%07d", i % publishers, i); }

std::string Entry(int64_t i, int64_t publishers) {
  const uint64_t h = Mix(static_cast<uint64_t>(i));
  const uint64_t h2 = Mix(h);
  const std::string id = Id(i, publishers);
  const uint64_t g = h % 100;
  const std::string gated = g < 80 ? "false" : g < 92 ? "\"auto\"" : "\"manual\"";
  const bool other = (h >> 8) % 100 == 0;
  const std::string license = other ? "other" : Pick(kLicenses, h >> 12);
  const std::string pipeline = Pick(kPipelines, h >> 20);
  const std::string library = Pick(kLibraries, h >> 24);
  std::string tags = absl::StrCat("\"", library, "\",\"safetensors\",\"", pipeline, "\",\"en\",\"license:", license,
                                  "\",\"region:us\"");
  std::string card = absl::StrCat("\"license\":\"", license, "\"");
  if (other) absl::StrAppend(&card, ",\"license_name\":\"Llama 3.1 Community License\",\"license_link\":\"LICENSE\"");
  if (i > 0 && (h >> 28) % 5 == 0) {
    const std::string base = Id(static_cast<int64_t>((h2 >> 4) % static_cast<uint64_t>(i)), publishers);
    const std::string relation = Pick(kRelations, h2 >> 40);
    absl::StrAppend(&tags, ",\"base_model:", base, "\",\"base_model:", relation, ":", base, "\"");
    absl::StrAppend(&card, ",\"base_model\":\"", base, "\"");
  }
  absl::StrAppend(&card, ",\"datasets\":[\"hub-data/set-", (h >> 32) % 500, "\"],\"language\":[\"en\"]");
  const int year = 2021 + static_cast<int>((h >> 36) % 6);
  const int month = 1 + static_cast<int>((h >> 40) % 12);
  const int day = 1 + static_cast<int>((h >> 44) % 28);
  std::string entry = absl::StrFormat(
      "{\"_id\":\"%024x\",\"id\":\"%s\",\"modelId\":\"%s\",\"author\":\"%s\",\"gated\":%s,\"private\":false,"
      "\"disabled\":false,\"downloads\":%d,\"likes\":%d,\"tags\":[%s],\"pipeline_tag\":\"%s\",\"library_name\":\"%s\","
      "\"createdAt\":\"%04d-%02d-%02dT%02d:%02d:%02d.000Z\",\"lastModified\":\"%04d-%02d-%02dT00:00:00.000Z\","
      "\"sha\":\"%016x%016x\",\"cardData\":{%s}",
      h2, id, id, id.substr(0, id.find('/')), gated, (h2 >> 8) % 100000, (h2 >> 24) % 1000, tags, pipeline, library,
      year, month, day, (h >> 48) % 24, (h >> 52) % 60, (h >> 56) % 60, year, month, day, h, h2, card);
  if ((h2 >> 48) % 10 != 0) {
    const int64_t params = static_cast<int64_t>(1 + (h2 >> 52) % 70) * 100000000;
    absl::StrAppendFormat(&entry, ",\"safetensors\":{\"parameters\":{\"BF16\":%d},\"total\":%d}", params, params);
  }
  absl::StrAppend(&entry, "}");
  return entry;
}

}  // namespace

void WriteHfListing(std::FILE* out, int64_t count, int64_t publishers, bool array) {
  if (array) std::fputs("[\n", out);
  for (int64_t i = 0; i < count; ++i) {
    const std::string entry = Entry(i, publishers);
    std::fputs(entry.c_str(), out);
    std::fputs(array && i + 1 < count ? ",\n" : "\n", out);
  }
  if (array) std::fputs("]\n", out);
}

}  // namespace modelreg_bench
