#include "client/cli/hf_hub_listing.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace modelreg::cli {
namespace {

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

int ListingReader::Get() {
  const int c = in_.rdbuf()->sbumpc();
  if (c == std::char_traits<char>::eof()) return -1;
  ++pos_.offset;
  if (c == '\n') ++pos_.lines;
  return c;
}

int ListingReader::Peek() {
  const int c = in_.rdbuf()->sgetc();
  return c == std::char_traits<char>::eof() ? -1 : c;
}

bool ListingReader::Next(ListingEntry* entry) {
  *entry = ListingEntry();
  if (pos_.format == ListingFormat::kUnknown) {
    if (Peek() == 0xEF) {  // UTF-8 byte order mark
      Get();
      Get();
      Get();
    }
    while (IsSpace(Peek())) Get();
    if (Peek() == '[') {
      Get();
      pos_.format = ListingFormat::kJsonArray;
    } else {
      pos_.format = ListingFormat::kJsonLines;
    }
  }
  const bool found = pos_.format == ListingFormat::kJsonArray ? NextElement(entry) : NextLine(entry);
  entry->end = pos_;
  return found;
}

bool ListingReader::NextLine(ListingEntry* entry) {
  while (Peek() != -1) {
    const int64_t line = pos_.lines + 1;
    std::string text;
    bool oversized = false;
    for (int c = Get(); c != -1 && c != '\n'; c = Get()) {
      if (text.size() < kMaxEntryBytes) {
        text.push_back(static_cast<char>(c));
      } else {
        oversized = true;
      }
    }
    if (absl::StripAsciiWhitespace(text).empty() && !oversized) continue;
    entry->line = line;
    entry->number = ++pos_.entries;
    if (oversized) {
      entry->error = absl::StrCat("the line is longer than ", kMaxEntryBytes >> 20, " MiB; skipped");
    } else {
      if (!text.empty() && text.back() == '\r') text.pop_back();
      entry->json = std::move(text);
    }
    return true;
  }
  return false;
}

bool ListingReader::NextElement(ListingEntry* entry) {
  if (array_closed_) {
    while (IsSpace(Peek())) Get();
    if (Peek() == -1) return false;
    entry->line = pos_.lines + 1;
    entry->number = pos_.entries + 1;
    entry->error = "text after the array's closing ']'; ignored";
    while (Get() != -1) {
    }
    return true;
  }
  while (IsSpace(Peek())) Get();
  bool missing_comma = false;
  if (pos_.entries > 0 && Peek() == ',') {
    Get();
    while (IsSpace(Peek())) Get();
  } else if (pos_.entries > 0 && Peek() != ']' && Peek() != -1) {
    missing_comma = true;
  }
  if (Peek() == ']') {
    Get();
    array_closed_ = true;
    return NextElement(entry);
  }
  if (Peek() == -1) {
    // A listing cut short: say so once.
    array_closed_ = true;
    entry->line = pos_.lines + 1;
    entry->number = pos_.entries + 1;
    entry->error = "the listing ends before the array's closing ']' (truncated?)";
    return true;
  }
  ReadValue(entry);
  if (missing_comma && entry->error.empty()) {
    entry->json.clear();
    entry->error = "expected ',' between this element and the previous one";
  }
  return true;
}

void ListingReader::ReadValue(ListingEntry* entry) {
  entry->line = pos_.lines + 1;
  entry->number = ++pos_.entries;
  std::string& text = entry->json;
  bool oversized = false;
  auto keep = [&](int c) {
    if (text.size() < kMaxEntryBytes) {
      text.push_back(static_cast<char>(c));
    } else {
      oversized = true;
    }
  };
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (;;) {
    const int c = Peek();
    if (c == -1) {
      text.clear();
      entry->error = "the listing ends inside this element (truncated?)";
      array_closed_ = true;  // nothing follows: no second report of the missing ']'
      return;
    }
    if (in_string) {
      keep(Get());
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) break;
      }
      continue;
    }
    if (depth == 0 && (c == ',' || c == ']' || IsSpace(c)) && !text.empty()) break;
    keep(Get());
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;  // a stray closer: the element is this one character, which fails to parse
      if (--depth == 0) break;
    }
  }
  if (oversized) {
    text.clear();
    entry->error = absl::StrCat("the element is larger than ", kMaxEntryBytes >> 20, " MiB; skipped");
  }
}

}  // namespace modelreg::cli
