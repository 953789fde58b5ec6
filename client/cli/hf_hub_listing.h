// Splits a Hugging Face Hub model listing into its model infos, streaming: JSON Lines (one object per line) or one
// JSON array of objects (as `GET /api/models` answers), told apart by the first character that is not whitespace.
// Memory is one entry, whatever the listing's size. Only the structure is read here (strings, nesting, commas): each
// entry's text is parsed by ImportHfHubModel.
#pragma once

#include <cstdint>
#include <istream>
#include <string>

namespace modelreg::cli {

// The format of a listing; kUnknown until the reader has seen its first character.
enum class ListingFormat { kUnknown, kJsonLines, kJsonArray };

// Where a reader stands: after `offset` bytes, `line` newlines and `entries` entries. A reader created at a position
// it returned (a resume) goes on from there.
struct ListingPosition {
  ListingFormat format = ListingFormat::kUnknown;
  uint64_t offset = 0;  // bytes consumed
  int64_t lines = 0;    // newlines consumed: the current line is lines + 1
  int64_t entries = 0;  // entries returned
};

struct ListingEntry {
  std::string json;     // the entry's text (empty when `error` is set)
  int64_t line = 0;     // 1-based line where the entry starts
  int64_t number = 0;   // 1-based position in the listing (JSON Lines: non-blank lines; array: elements)
  std::string error;    // the listing is broken here (the entry cannot be read); the reader goes on after it
  ListingPosition end;  // the reader's position after the entry: a resume from it starts with the next entry
};

class ListingReader {
 public:
  // Entries larger than this are reported (error) and skipped.
  static constexpr size_t kMaxEntryBytes = size_t{8} << 20;

  // Reads `in` from `start`, which must be a position this reader returned for the same input (or the default, the
  // beginning); `in` must already stand at `start.offset`.
  ListingReader(std::istream& in, ListingPosition start) : in_(in), pos_(start) {}

  // The next entry; false at the end of the listing.
  bool Next(ListingEntry* entry);

  const ListingPosition& position() const { return pos_; }

 private:
  int Get();   // the next byte (counting offset and lines), or -1
  int Peek();  // the next byte without consuming it, or -1
  bool NextLine(ListingEntry* entry);
  bool NextElement(ListingEntry* entry);
  // Reads one JSON value starting at the current byte into `entry->json` (its structure only).
  void ReadValue(ListingEntry* entry);

  std::istream& in_;
  ListingPosition pos_;
  bool array_closed_ = false;
};

}  // namespace modelreg::cli
